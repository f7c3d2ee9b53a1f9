namespace ClusterMap.Rendering.Model;

/// <summary>
/// A one-page brief on one feature: what the caller (the API) composed from the data and the proximity engine. The
/// renderer lays it out and draws the map; it decides none of the content.
/// </summary>
/// <param name="Title">The feature's name.</param>
/// <param name="Subtitle">What it is and where (collection, district).</param>
/// <param name="Map">The map, in points (1/72 in); <see cref="ReportPage.MapWidth"/> wide.</param>
/// <param name="TableTitle">Heading of the nearest table.</param>
/// <param name="TableHeader">Column names.</param>
/// <param name="TableRows">Cells, one list per row.</param>
/// <param name="Provenance">Paragraphs: how the location was obtained, its uncertainty, sources and licences.</param>
/// <param name="Footer">Small print at the bottom (service, data version).</param>
public sealed record ReportPage(
    string Title,
    string Subtitle,
    MapRequest Map,
    string TableTitle,
    IReadOnlyList<string> TableHeader,
    IReadOnlyList<IReadOnlyList<string>> TableRows,
    IReadOnlyList<string> Provenance,
    string Footer)
{
    /// <summary>Width of the report's map in points: A4 less two 40 pt margins.</summary>
    public const int MapWidth = 515;

    /// <summary>Height of the map itself; its key (legend, scale bar, north arrow) takes a band below it.</summary>
    public const int MapHeight = 320;

    /// <summary>Printed with its QR code in the footer band of every page.</summary>
    public FigureStamp? Stamp { get; init; }

    /// <summary>
    /// Side-by-side blocks the table's rows flow into (top to bottom, then the next block), each with the header: a
    /// long table of short rows, such as an atlas's key, then takes a fraction of the height.
    /// </summary>
    public int TableBlocks { get; init; } = 1;

    /// <summary>A park's research base, drawn after the table and before the provenance; null for other briefs.</summary>
    public ReportResearchBase? ResearchBase { get; init; }
}
