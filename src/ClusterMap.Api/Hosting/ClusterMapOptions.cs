using System.ComponentModel.DataAnnotations;
using ClusterMap.Rendering.Tiles;

namespace ClusterMap.Api.Hosting;

/// <summary>Where the data lives. Relative paths are taken from the directory the service is started in.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// Which store holds the data: <see cref="StorageProvider.Sqlite"/> (one file, the default) or
    /// <see cref="StorageProvider.PostGis"/> (the database in <c>ConnectionStrings:ClusterMap</c>, shared by replicas).
    /// </summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The SQLite database file; built from <see cref="GeodataPath"/> on first start if it does not exist.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SqlitePath { get; set; } = ".data/clustermap.db";

    /// <summary>The folder with <c>collections.json</c> and the shipped GeoJSON files.</summary>
    [Required(AllowEmptyStrings = false)]
    public string GeodataPath { get; set; } = "geodata";
}

/// <summary>The stores the service can run on.</summary>
public enum StorageProvider
{
    Sqlite,
    PostGis,
}

/// <summary>Behaviour of the OGC API – Features endpoints.</summary>
public sealed class FeaturesOptions
{
    public const string Section = "Features";

    /// <summary>Items per page when the request gives no <c>limit</c>.</summary>
    [Range(1, 1_000_000)]
    public int DefaultLimit { get; set; } = 10;

    /// <summary>Largest page; a larger <c>limit</c> is clamped to it, as OGC API – Features Part 1 §7.15.3 allows.</summary>
    [Range(1, 1_000_000)]
    public int MaxLimit { get; set; } = 10_000;

    /// <summary>
    /// Largest <c>numberMatched</c> an items page counts: a page whose matches are more omits it (OGC API – Features
    /// Part 1 /req/core/fc-numberMatched B), so that a page costs what its features cost, not what counting every match
    /// costs. 0 counts every match, however many.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MaxExactCount { get; set; } = 10_000;

    /// <summary>Title of the service on the landing page.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Title { get; set; } = "ClusterMap";

    [Required(AllowEmptyStrings = false)]
    public string Description { get; set; } = "Shanghai's featured industrial parks, universities and research institutes, and how close they sit: OGC API – Features with exact geodesic proximity.";
}

/// <summary>Rendered maps and tiles.</summary>
public sealed class MapsOptions
{
    public const string Section = "Maps";

    /// <summary>Largest width or height of a rendered image in device pixels (after dpi scaling).</summary>
    [Range(256, 16384)]
    public int MaxPixels { get; set; } = 4096;

    /// <summary>Static map width and height when the request gives none, in CSS pixels.</summary>
    [Range(64, 4096)]
    public int DefaultWidth { get; set; } = 800;

    [Range(64, 4096)]
    public int DefaultHeight { get; set; } = 600;

    /// <summary>
    /// Draw one tile as soon as the service starts (readiness waits for it), so the first visitor does not pay the
    /// renderer's first use (JIT, Skia's native code, the collections' map indexes).
    /// </summary>
    public bool WarmUpAtStart { get; set; } = true;

    /// <summary>Bytes of rendered tiles kept in memory; the least recently used go first.</summary>
    [Range(0, long.MaxValue)]
    public long TileCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Keep drawn tiles in the database too (a table in the SQLite file, or in PostGIS), keyed by style, tile, format
    /// and data version, so they outlive the process and replicas on one database share them; the in-memory cache
    /// stays in front.
    /// </summary>
    public bool TileStore { get; set; } = true;

    /// <summary>
    /// On PostGIS, build vector tiles in the database (<c>ST_AsMVT</c> over <c>ST_AsMVTGeom</c>) instead of reading the
    /// features and encoding them in the service. No effect on SQLite.
    /// </summary>
    public bool VectorTilesInDatabase { get; set; } = true;

    /// <summary>
    /// The institution-density tiles' kernel bandwidth in ground metres (<c>/tiles/density/…</c>): each institution
    /// spreads over a quartic kernel this wide, further widened by its location uncertainty.
    /// </summary>
    [Range(100, 50_000)]
    public double DensityBandwidthMeters { get; set; } = DensityRaster.DefaultBandwidthMeters;

    /// <summary>How long clients may reuse a tile without asking again (Cache-Control max-age).</summary>
    [Range(0, 31_536_000)]
    public int TileMaxAgeSeconds { get; set; } = 300;

    /// <summary>The tiles' Cache-Control value, built once rather than on every cached tile.</summary>
    internal string TileCacheControl => field ??= $"public, max-age={TileMaxAgeSeconds}";

    /// <summary>
    /// How long the data version read from the store is trusted before it is read again (milliseconds). 0 reads it on
    /// every request; a little more spares the store a query per cached tile, at the price of serving up to this
    /// long from the old data after a change.
    /// </summary>
    [Range(0, 60_000)]
    public int DataVersionCheckMilliseconds { get; set; } = 250;

    /// <summary>
    /// Collections of at most this many features are held in memory for maps (once per data version, behind an
    /// R-tree); larger ones are read from the store's spatial index for each tile or figure, only near what it shows.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long InMemoryMaxFeatures { get; set; } = 100_000;

    /// <summary>The most features one atlas report (<c>/reports/{collectionId}.pdf</c>) holds: a page or two each, rendered while the client waits.</summary>
    [Range(1, 10_000)]
    public int AtlasMaxFeatures { get; set; } = 200;

    /// <summary>
    /// The service's address as readers reach it (scheme, host and any path prefix, e.g. https://maps.example.org/clustermap),
    /// used for the permalinks printed and QR-coded on figures; unset, they are built from each request's own scheme,
    /// host and path base, which behind a reverse proxy are the proxy's upstream address.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>An external XYZ basemap under static maps, reports and raster tiles; none (the default) draws ClusterMap's own.</summary>
    public BasemapOptions Basemap { get; set; } = new();
}

/// <summary>
/// <c>Maps:Basemap</c>: an XYZ tile source the service fetches and draws its figures over. If it fails or is too slow
/// a figure falls back to ClusterMap's own basemap and says so in the <c>ClusterMap-Basemap</c> header.
/// </summary>
public sealed class BasemapOptions
{
    /// <summary>
    /// The tile URL template with <c>{z}</c>, <c>{x}</c>, <c>{y}</c>, optionally <c>{s}</c> (one of <see cref="Subdomains"/>)
    /// and <c>{key}</c> (<see cref="Key"/>). Empty (the default): no external basemap.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>The values of <c>{s}</c>, comma-separated (e.g. <c>0,1,2,3</c> or <c>a,b,c</c>); a tile always takes the same one.</summary>
    public string? Subdomains { get; set; }

    /// <summary>The provider's name, as the attribution lists it.</summary>
    public string Title { get; set; } = "Basemap";

    /// <summary>The credit the provider requires, printed on every figure drawn over it. Required with <see cref="Url"/>.</summary>
    public string? Attribution { get; set; }

    /// <summary>
    /// The datum of the tiles: WGS84 and CGCS2000 (which agrees with WGS84 to well under a metre) are drawn over as
    /// they are; over GCJ-02 or BD-09 every figure moves what it draws into that datum.
    /// </summary>
    public string Datum { get; set; } = "WGS84";

    /// <summary>The provider's key, substituted for <c>{key}</c>; never logged, never in a response.</summary>
    public string? Key { get; set; }

    /// <summary>The finest zoom the source serves; finer figures stretch its tiles.</summary>
    [Range(0, 22)]
    public int MaxZoom { get; set; } = 18;

    /// <summary>How long one figure waits for its tiles, all of them, before it falls back (milliseconds).</summary>
    [Range(100, 60_000)]
    public int TimeoutMilliseconds { get; set; } = 4000;

    /// <summary>How many tile requests are under way at once, across all figures.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Where fetched tiles are kept, one file per tile URL; relative to the directory the service starts in.</summary>
    [Required(AllowEmptyStrings = false)]
    public string CacheDirectory { get; set; } = ".data/basemap-cache";

    /// <summary>How long a cached tile is used before it is fetched again (hours); 0 never keeps one.</summary>
    [Range(0, 24 * 365)]
    public int CacheHours { get; set; } = 24 * 7;

    /// <summary>The User-Agent of tile requests: tile usage policies ask for one that names the application and a contact.</summary>
    public string UserAgent { get; set; } = "ClusterMap";

    internal bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    internal static readonly string[] Datums = ["WGS84", "CGCS2000", "GCJ-02", "BD-09"];
}

/// <summary>The browser client at <c>/</c>: an optional external basemap beside ClusterMap's own tiles.</summary>
public sealed class ClientOptions
{
    public const string Section = "Client";

    /// <summary>
    /// An XYZ tile URL template with {z}, {x} and {y} (and optionally {s}), offered as a second basemap. Empty (the
    /// default) means none: the client then loads nothing from any other host.
    /// </summary>
    public string? ExternalBasemapUrl { get; set; }

    /// <summary>The credit the external basemap's provider requires; shown on the map.</summary>
    public string? ExternalBasemapAttribution { get; set; }

    /// <summary>
    /// The datum of the external tiles: "WGS84", "CGCS2000", "GCJ-02" or "BD-09"; over the last two the client draws
    /// in that datum. Empty means: GCJ-02 for the Chinese providers known to use it (Amap/AutoNavi, Tencent), WGS84
    /// otherwise.
    /// </summary>
    public string? ExternalBasemapCrs { get; set; }
}
