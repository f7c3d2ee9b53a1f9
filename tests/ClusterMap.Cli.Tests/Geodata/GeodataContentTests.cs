using System.Text;
using System.Text.Json;
using ClusterMap.Cli.Geodata;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>Checks on the committed files themselves, as a consumer of geodata/ would read them.</summary>
public class GeodataContentTests
{
    public static TheoryData<string> ShippedFiles() => [.. ShippedFileNames()];

    internal static List<string> ShippedFileNames() =>
        [.. Manifest().GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("file").GetString()!)];

    [Fact]
    public void Manifest_ListsCollectionsInOrder_WithRoles()
    {
        var collections = Manifest().GetProperty("collections").EnumerateArray().ToList();

        Assert.Equal(
            ["parks", "universities", "institutes", "links", "metro-stations", "districts", "land", "water"],
            collections.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(
            ["park", "university", "institute", "link", "context", "district", "land", "water"],
            collections.Select(c => c.GetProperty("role").GetString()));
        foreach (var c in collections)
        {
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("license").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("attribution").GetString()));
            Assert.Equal(c.GetProperty("feature_count").GetInt32(), ReadFeatures(c.GetProperty("file").GetString()!).Count);
        }
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedFile_IsUtf8WithoutBom_LfLineEnds_TrailingNewline(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, file));

        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "no BOM");
        Assert.DoesNotContain((byte)'\r', bytes);
        Assert.Equal((byte)'\n', bytes[^1]);
        _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedFile_IsValidFeatureCollection_InsideShanghai_WithSourceAndUncertainty(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, file)));
        var root = document.RootElement;
        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        Assert.NotEmpty(root.GetProperty("features").EnumerateArray());

        foreach (var feature in root.GetProperty("features").EnumerateArray())
        {
            Assert.Equal("Feature", feature.GetProperty("type").GetString());
            var id = feature.GetProperty("id").GetString();
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", id);
            var properties = feature.GetProperty("properties");
            foreach (var key in new[] { "source_url", "license", "location_method", "source_crs" })
            {
                Assert.True(
                    properties.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0,
                    $"{file} {id}: {key} missing or empty");
            }

            Assert.True(properties.TryGetProperty("name_zh", out _), $"{file} {id}: name_zh key missing");
            var uncertainty = properties.GetProperty("location_uncertainty_m").GetDouble();
            Assert.True(double.IsFinite(uncertainty) && uncertainty > 0, $"{file} {id}: location_uncertainty_m {uncertainty}");

            foreach (var position in Positions(feature.GetProperty("geometry")))
            {
                Assert.Equal(2, position.GetArrayLength());
                var lon = position[0].GetDouble();
                var lat = position[1].GetDouble();
                Assert.True(ShanghaiRegion.Contains(lon, lat), $"{file} {id}: {lon},{lat} outside the Shanghai region");

                // At most 7 decimals (RFC 7946 recommends no more than needed).
                Assert.True(Decimals(position[0]) <= 7 && Decimals(position[1]) <= 7, $"{file} {id}: too many decimals");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedFile_GeometriesAreValid_AndPolygonsFollowRfc7946Winding(string file)
    {
        foreach (var feature in ReadFeatures(file))
        {
            Assert.True(feature.Geometry.IsValid, $"{file}: invalid geometry");
            foreach (var polygon in Polygons(feature.Geometry))
            {
                Assert.True(polygon.Shell.IsCCW, $"{file}: exterior ring must be counter-clockwise");
                Assert.All(polygon.Holes, h => Assert.False(h.IsCCW, $"{file}: holes must be clockwise"));
            }
        }
    }

    [Fact]
    public void AllShippedFeatures_HaveUniqueIds()
    {
        var ids = ShippedFileNames()
            .SelectMany(file => ReadIds(file).Select(id => (file, id)))
            .ToList();

        var duplicates = ids.GroupBy(x => x.id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Basemap_CoversTheRegionWithoutGapsOrOverlap()
    {
        var land = ReadFeatures(GeodataBuilder.LandFile).Single().Geometry;
        var water = ReadFeatures(GeodataBuilder.WaterFile).Single().Geometry;
        var region = new GeometryFactory().ToGeometry(ShanghaiRegion.Envelope4326);

        // Tolerance: both layers are rounded to 1e-5 degrees, so slivers up to that width along the coast are expected.
        const double toleranceSquareDegrees = 1e-6;
        Assert.InRange(land.Intersection(water).Area, 0, toleranceSquareDegrees);
        Assert.InRange(Math.Abs(land.Area + water.Area - region.Area), 0, toleranceSquareDegrees);

        // Both are substantial: Shanghai's region box is roughly half land.
        Assert.InRange(land.Area / region.Area, 0.3, 0.8);
    }

    [Theory]
    [InlineData(GeodataBuilder.LandFile)]
    [InlineData(GeodataBuilder.WaterFile)]
    public void Basemap_IsOneValidMultiPolygon_UnderTwoMegabytes(string file)
    {
        var geometry = ReadFeatures(file).Single().Geometry;

        Assert.IsType<MultiPolygon>(geometry);
        Assert.True(geometry.IsValid, $"{file} is not a valid multipolygon");
        Assert.InRange(new FileInfo(Path.Combine(GeodataPaths.CommittedGeodata, file)).Length, 10_000, 2_000_000);
    }

    [Fact]
    public void Land_HasNoHoleSmallerThanTheThreshold()
    {
        // The source's specks and triangles inside the land were what a planner saw as blue flecks on every map.
        var land = (MultiPolygon)ReadFeatures(GeodataBuilder.LandFile).Single().Geometry;
        var holes = land.Geometries.Cast<Polygon>().SelectMany(p => p.InteriorRings).ToList();

        var small = holes
            .Where(h => Basemap.AreaSquareMeters(h) < Basemap.MinHoleAreaSquareMeters)
            .Select(h => $"{h.EnvelopeInternal.Centre.X:F4},{h.EnvelopeInternal.Centre.Y:F4} ({Basemap.AreaSquareMeters(h) / 1e6:F2} km²)")
            .ToList();
        Assert.Empty(small);

        // The big lakes and the Huangpu stay water: Dianshan Lake alone is ~60 km².
        Assert.Contains(holes, h => Basemap.AreaSquareMeters(h) > 50e6);
    }

    internal static JsonElement Manifest()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, GeodataBuilder.ManifestFile)));
        return document.RootElement.Clone();
    }

    internal static List<IFeature> ReadFeatures(string file)
    {
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        var collection = JsonSerializer.Deserialize<FeatureCollection>(
            File.ReadAllText(Path.Combine(GeodataPaths.CommittedGeodata, file)), options)!;
        return [.. collection];
    }

    internal static List<string> ReadIds(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, file)));
        return [.. document.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
    }

    private static IEnumerable<Polygon> Polygons(Geometry geometry) =>
        Enumerable.Range(0, geometry.NumGeometries).Select(geometry.GetGeometryN).OfType<Polygon>();

    private static int Decimals(JsonElement number)
    {
        var text = number.GetRawText();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 0 : text.Length - dot - 1;
    }

    private static IEnumerable<JsonElement> Positions(JsonElement geometry)
    {
        var type = geometry.GetProperty("type").GetString();
        var coordinates = geometry.GetProperty("coordinates");
        return type switch
        {
            "Point" => [coordinates],
            "Polygon" => coordinates.EnumerateArray().SelectMany(r => r.EnumerateArray()),
            "MultiPolygon" => coordinates.EnumerateArray().SelectMany(p => p.EnumerateArray()).SelectMany(r => r.EnumerateArray()),
            _ => throw new Xunit.Sdk.XunitException($"unexpected geometry type {type}"),
        };
    }
}
