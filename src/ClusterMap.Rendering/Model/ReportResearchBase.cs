namespace ClusterMap.Rendering.Model;

/// <summary>
/// A park brief's research base as the composer decided it: a table of distance bands under grouped column headings,
/// a bar chart of the same bands, and the notes saying what made the figures. The renderer lays it out and draws the
/// chart as vector shapes; it decides none of the content.
/// </summary>
/// <param name="Title">The section's heading.</param>
/// <param name="Groups">Headings over runs of adjacent columns, left to right; their column counts add up to the header's.</param>
/// <param name="Header">Column names.</param>
/// <param name="Rows">Cells, one list per band.</param>
/// <param name="Bars">The chart: one bar per band, top to bottom.</param>
/// <param name="ChartKey">What the chart's marks mean: the certain part, the possible part, the estimated tick.</param>
/// <param name="Notes">Paragraphs under the chart: the rules, the weights, the fit table, the collections and bands that made it.</param>
public sealed record ReportResearchBase(
    string Title,
    IReadOnlyList<ReportColumnGroup> Groups,
    IReadOnlyList<string> Header,
    IReadOnlyList<IReadOnlyList<string>> Rows,
    IReadOnlyList<ResearchBaseBar> Bars,
    ResearchBaseChartKey ChartKey,
    IReadOnlyList<string> Notes);

/// <summary>A heading over <paramref name="Columns"/> adjacent columns.</summary>
public sealed record ReportColumnGroup(string Title, int Columns);

/// <summary>One band's bar: the certain count drawn solid, the possible count after it lighter, the estimated count as a tick.</summary>
/// <param name="Label">The band, left of the bar.</param>
/// <param name="Certain">Institutions certainly within.</param>
/// <param name="Possible">Institutions only possibly within.</param>
/// <param name="Estimated">Institutions within at the stored points (between certain and certain + possible).</param>
/// <param name="Value">The words right of the bar.</param>
public sealed record ResearchBaseBar(string Label, int Certain, int Possible, int Estimated, string Value);

/// <summary>The chart's key, one entry per mark.</summary>
public sealed record ResearchBaseChartKey(string Certain, string Possible, string Estimated);
