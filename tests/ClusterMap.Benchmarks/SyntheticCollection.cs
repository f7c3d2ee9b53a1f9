using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Tests.TestData;
using NetTopologySuite.Geometries;

namespace ClusterMap.Benchmarks;

/// <summary>
/// One benchmark collection: <c>points</c> points and <c>points / 5</c> star polygons around Chinese cities (the
/// issue's 1M points + 200k polygons mix, every sixth feature a polygon), and query origins drawn from the same
/// distribution with another seed, so queries land where the data is dense, as real ones do.
/// </summary>
internal sealed class SyntheticCollection
{
    public const string CollectionId = "bench";

    private SyntheticCollection(int points, ProximityItem[] items, Point[] origins)
    {
        Points = points;
        Items = items;
        Origins = origins;
    }

    public int Points { get; }

    public int Polygons => Items.Length - Points;

    public ProximityItem[] Items { get; }

    public Point[] Origins { get; }

    public string Label => BenchOptions.SizeLabel(Points);

    public static SyntheticCollection Create(int points, int seed)
    {
        var total = points + (points / 5);
        var generator = new ChinaSynthetic(seed);
        var items = new ProximityItem[total];
        var pointCount = 0;
        for (var i = 0; i < total; i++)
        {
            var polygon = i % 6 == 5 && i - pointCount < points / 5;
            Geometry geometry = polygon || pointCount == points ? generator.Polygon() : generator.Point();
            pointCount += geometry is Point ? 1 : 0;
            items[i] = new ProximityItem(Id(i), geometry);
        }

        var originGenerator = new ChinaSynthetic(seed + 1);
        var origins = new Point[4096];
        for (var i = 0; i < origins.Length; i++)
        {
            origins[i] = originGenerator.Point();
        }

        return new SyntheticCollection(pointCount, items, origins);
    }

    public static string Id(int i) => "f" + i.ToString("D7", CultureInfo.InvariantCulture);

    public IReadOnlyList<FeatureRecord> Records() => [.. Items.Select(i => new FeatureRecord(i.Id, i.Geometry, "{}"))];
}
