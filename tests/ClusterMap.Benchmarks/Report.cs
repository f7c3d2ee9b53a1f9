using System.Globalization;
using System.Text;

namespace ClusterMap.Benchmarks;

/// <summary>How an index was built: time and memory.</summary>
internal sealed record BuildRow(string Size, int Points, int Polygons, double BuildSeconds, double InputMegabytes, double IndexMegabytes, double PeakWorkingSetMegabytes);

/// <summary>One measured figure: a query kind, where it ran (in process, HTTP, PostGIS), at one concurrency.</summary>
internal sealed record QueryRow(string Size, string Query, string Engine, LoadResult Result);

/// <summary>Agreement with PostGIS on a sample of origins.</summary>
/// <param name="Size">Size label.</param>
/// <param name="Query">Query name.</param>
/// <param name="Origins">Origins compared.</param>
/// <param name="PairsCompared">Origin–target pairs both engines return.</param>
/// <param name="MaxPointDifferenceMeters">Largest |d_ClusterMap − d_PostGIS| over point targets.</param>
/// <param name="MaxPolygonDifferenceMeters">Largest |d_ClusterMap − d_PostGIS| over polygon targets.</param>
/// <param name="MembershipAgreed">Radius: pairs both return; nearest: origins with the same k ids.</param>
/// <param name="OnlyClusterMapNearBoundary">Pairs only ClusterMap returns, within 0.5 m of the radius.</param>
/// <param name="OnlyPostGisNearBoundary">Pairs only PostGIS returns, within 0.5 m of the radius.</param>
/// <param name="MembershipDisagreements">Pairs (or nearest-k origins) the engines disagree on beyond that tolerance.</param>
/// <param name="DisagreementsWherePostGisIsRight">Disagreements where the brute-force reference sides with PostGIS (radius: a
/// membership; nearest-k: an id ClusterMap returns is farther by the reference than one only PostGIS returns).</param>
/// <param name="Arbitrated">Pairs that differ by more than 1 cm, measured again by <see cref="ReferenceDistance"/>.</param>
/// <param name="MaxClusterMapErrorMeters">Largest |d_ClusterMap − reference| over the arbitrated pairs.</param>
/// <param name="MaxPostGisErrorMeters">Largest |d_PostGIS − reference| over the arbitrated pairs.</param>
internal sealed record ExactnessRow(
    string Size, string Query, int Origins, long PairsCompared, double MaxPointDifferenceMeters, double MaxPolygonDifferenceMeters,
    long MembershipAgreed, long OnlyClusterMapNearBoundary, long OnlyPostGisNearBoundary, long MembershipDisagreements,
    long DisagreementsWherePostGisIsRight, long Arbitrated, double MaxClusterMapErrorMeters, double MaxPostGisErrorMeters);

/// <summary>Everything the harness measured, printed as plain pipe tables (Markdown-ready).</summary>
internal sealed class Report
{
    public const string InProcess = "in process";
    public const string Http = "HTTP";
    public const string PostGis = "PostGIS";

    private static readonly CultureInfo _inv = CultureInfo.InvariantCulture;

    public List<BuildRow> Builds { get; } = [];

    public List<QueryRow> Queries { get; } = [];

    public List<ExactnessRow> Exactness { get; } = [];

    public List<string> Notes { get; } = [];

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("### Index build (in process)");
        text.AppendLine();
        text.AppendLine("| size | points | polygons | build s | input features MB | index MB | peak working set MB |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var b in Builds)
        {
            text.AppendLine(_inv, $"| {b.Size} | {b.Points:N0} | {b.Polygons:N0} | {b.BuildSeconds:F2} | {b.InputMegabytes:N0} | {b.IndexMegabytes:N0} | {b.PeakWorkingSetMegabytes:N0} |");
        }

        text.AppendLine();
        text.AppendLine("### Queries");
        text.AppendLine();
        text.AppendLine("| size | query | engine | workers | queries/s | p50 ms | p99 ms | p50 CPU ms | p99 CPU ms | engine CPU ms/query | mean hits |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var q in Queries)
        {
            var r = q.Result;
            text.AppendLine(_inv, $"| {q.Size} | {q.Query} | {q.Engine} | {r.Workers} | {Qps(r.QueriesPerSecond)} | {r.P50Ms:F3} | {r.P99Ms:F3} | {Cpu(r.CpuP50Ms)} | {Cpu(r.CpuP99Ms)} | {Cpu(r.CpuMeanMs)} | {(q.Engine == Http ? "–" : r.MeanHits.ToString("F1", _inv))} |");
        }

        var ratios = Ratios().ToList();
        if (ratios.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("### ClusterMap / PostGIS (queries per second, same data, same machine, same run)");
            text.AppendLine();
            text.AppendLine("| size | query | workers | in process / PostGIS | HTTP / PostGIS | CPU per query: PostGIS / in process | CPU per query: PostGIS / HTTP service |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var (size, query, workers, inProcess, http, cpuInProcess, cpuHttp) in ratios)
            {
                text.AppendLine(_inv, $"| {size} | {query} | {workers} | {Ratio(inProcess)} | {Ratio(http)} | {Ratio(cpuInProcess)} | {Ratio(cpuHttp)} |");
            }
        }

        if (Exactness.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("### Exactness against PostGIS geography (spheroid)");
            text.AppendLine();
            text.AppendLine("| size | query | origins | pairs | max \\|Δd\\| points m | max \\|Δd\\| polygons m | same membership | only ClusterMap, within 0.5 m of r | only PostGIS, within 0.5 m of r | disagreements (reference sides with PostGIS) | pairs arbitrated (\\|Δd\\| > 1 cm) | max ClusterMap error m | max PostGIS error m |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var e in Exactness)
            {
                text.AppendLine(_inv, $"| {e.Size} | {e.Query} | {e.Origins} | {e.PairsCompared:N0} | {e.MaxPointDifferenceMeters:F6} | {e.MaxPolygonDifferenceMeters:F4} | {e.MembershipAgreed:N0} | {e.OnlyClusterMapNearBoundary} | {e.OnlyPostGisNearBoundary} | {e.MembershipDisagreements} ({e.DisagreementsWherePostGisIsRight.ToString(_inv)}) | {e.Arbitrated:N0} | {e.MaxClusterMapErrorMeters:F6} | {e.MaxPostGisErrorMeters:F4} |");
            }

            text.AppendLine();
            text.AppendLine();
            text.AppendLine("p50/p99 are wall-clock latencies; the p50/p99 CPU columns (in process) count only the time the query's thread was on a core. \"Engine CPU ms/query\" is the CPU time the engine itself spent per query, read from /proc around the measured phase: the querying threads (in process), the whole service process (HTTP: Kestrel, routing, query, JSON), the PostgreSQL backends of the connections (PostGIS); client work is in none of them. On a machine shared with other work the CPU ratios are the steadier comparison: they say how many queries each engine answers per core-second.");
            text.AppendLine("Δd = d_ClusterMap − d_PostGIS on pairs both return. \"Arbitrated\" pairs are measured a third time by brute force (256 samples per geodesic edge, then golden-section search to 1 mm, from Karney's inverse and direct problems only): the error columns are each engine's distance minus that reference. Every radius disagreement is arbitrated the same way; nearest-k disagreements count origins whose k ids differ.");
        }

        if (Notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in Notes)
            {
                text.AppendLine(_inv, $"- {note}");
            }
        }

        return text.ToString();
    }

    // In process all-cores is compared with PostGIS at its best concurrency (2 × cores clients); one worker with one.
    private IEnumerable<(string Size, string Query, int Workers, double? InProcess, double? Http, double? CpuInProcess, double? CpuHttp)> Ratios()
    {
        foreach (var pg in Queries.Where(q => q.Engine == PostGis))
        {
            var same = Queries.Where(q => q.Size == pg.Size && q.Query == pg.Query).ToList();
            var single = pg.Result.Workers == 1;
            var inProcess = same.FirstOrDefault(q => q.Engine == InProcess && (single ? q.Result.Workers == 1 : q.Result.Workers > 1))?.Result;
            var http = same.FirstOrDefault(q => q.Engine == Http && q.Result.Workers == pg.Result.Workers)?.Result;
            var pgQps = pg.Result.QueriesPerSecond;
            double? Cpu(LoadResult? r) => r is { CpuMeanMs: > 0 } && pg.Result.CpuMeanMs > 0 ? pg.Result.CpuMeanMs / r.CpuMeanMs : null;
            yield return (pg.Size, pg.Query, pg.Result.Workers, inProcess?.QueriesPerSecond / pgQps, http?.QueriesPerSecond / pgQps, Cpu(inProcess), Cpu(http));
        }
    }


    private static string Cpu(double ms) => double.IsNaN(ms) ? "–" : ms.ToString("F3", _inv);

    private static string Qps(double qps) => qps >= 100 ? qps.ToString("N0", _inv) : qps.ToString("F1", _inv);

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("F1", _inv) + "×" : "–";
}
