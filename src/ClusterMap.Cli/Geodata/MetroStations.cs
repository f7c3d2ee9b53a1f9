using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

internal sealed record MetroStation(string StationId, string NameEn, IReadOnlyList<string> Lines, double Lon, double Lat);

/// <summary>Shanghai Metro stations of the 2017 network, from <c>metro/DERIVED_stations_wgs84.csv</c>.</summary>
internal static class MetroStations
{
    public const string CollectionId = "metro-stations";
    public const string SourceUrl =
        "https://github.com/beyondsimulations/Metro-Inflow-Optimization/blob/80558f8a96813d322f463350db1e547fb57f5457/data_public/Shanghai/stationInfo.csv";
    public const string License = "CC-BY-4.0 AND MIT";
    public const string Attribution =
        "Station coordinates: MetroFlow, Sun et al. (2025), Human mobility datasets in the complex metro system of Shanghai, "
        + "Scientific Data 12, doi:10.1038/s41597-025-05416-8 (data doi:10.6084/m9.figshare.28844942, CC BY 4.0); "
        + "corrected copy © 2023 Tobias Vlcek, Metro-Inflow-Optimization (MIT).";

    // Station points are centroids or entrances (median 25 m, p90 68 m from an independent reference; metro/PROVENANCE.md)
    // and a station box is 150–250 m long, so a point stands for the station to about this radius.
    public const double UncertaintyMeters = 150;

    public static IReadOnlyList<MetroStation> Load(string sourcesDirectory)
    {
        var path = Path.Combine(sourcesDirectory, "metro", "DERIVED_stations_wgs84.csv");
        var stations = new List<MetroStation>();
        foreach (var row in CsvTable.ReadFile(path))
        {
            if (row["crs"] != "EPSG:4326")
            {
                throw new InvalidDataException($"{path}:{row.LineNumber}: expected crs EPSG:4326, got '{row["crs"]}'.");
            }

            var lines = row["lines_2017"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            stations.Add(new MetroStation(
                row["station_id"],
                row["name_en"],
                lines,
                double.Parse(row["lon"], CultureInfo.InvariantCulture),
                double.Parse(row["lat"], CultureInfo.InvariantCulture)));
        }

        return stations;
    }

    public static IReadOnlyList<GeoFeature> ToFeatures(IReadOnlyList<MetroStation> stations, GeometryFactory factory) =>
        [.. stations
            .Select(s => new GeoFeature(
                IdFor(s.NameEn),
                factory.CreatePoint(new Coordinate(s.Lon, s.Lat)),
                new PropertyList()
                    .Add("name_zh", null)
                    .Add("name_en", s.NameEn)
                    .Add("station_id", s.StationId)
                    .Add("lines_2017", s.Lines)
                    .Add("location_method",
                        "Source point: the station coordinate as published (no CRS declared; WGS84 established by test, "
                        + "median 25 m from an independent reference; metro/PROVENANCE.md).")
                    .Add("location_uncertainty_m", UncertaintyMeters)
                    .Add("source_url", SourceUrl)
                    .Add("source_crs", "EPSG:4326 (undeclared; established by test)")
                    .Add("license", License)
                    .Add("attribution", Attribution)
                    .ToList()))
            .OrderBy(f => f.Id, StringComparer.Ordinal)];

    /// <summary>"Jing'an Temple" → "metro-jingan-temple".</summary>
    public static string IdFor(string nameEn) => "metro-" + Slug(nameEn);

    public static string Slug(string text)
    {
        var slug = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (c is ' ' or '-' or '_' or '/' && slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().Trim('-');
    }
}
