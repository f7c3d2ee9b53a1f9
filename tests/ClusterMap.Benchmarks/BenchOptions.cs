using System.Globalization;

namespace ClusterMap.Benchmarks;

/// <summary>Command-line options of the harness; every one has a default that `make bench` uses.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        ClusterMap proximity benchmarks (issue 4). Options:
          --sizes 10k,100k,1m   point counts; each size adds polygons = 20% of the points (1m = 1M points + 200k polygons)
          --quick               smoke run: 10k only, short measurements, small exactness sample
          --seconds S           measuring time per figure (default 3, quick 0.5)
          --seed N              generator seed (default 20240604)
          --api-dll PATH        the built ClusterMap.Api.dll (default: src/ClusterMap.Api/bin/Release/net10.0 of this repo)
          --no-http             skip the HTTP measurements
          --postgres CONNSTR    run the same queries on PostGIS through this connection string (make bench starts a throwaway cluster)
          --markdown PATH       also write the tables as Markdown to PATH
        """;

    public IReadOnlyList<int> Sizes { get; init; } = [10_000, 100_000, 1_000_000];

    public bool Quick { get; init; }

    public double Seconds { get; init; } = 3;

    public int Seed { get; init; } = 20240604;

    public string? ApiDll { get; init; }

    public bool Http { get; init; } = true;

    public string? Postgres { get; init; }

    public string? Markdown { get; init; }

    public double WarmUpSeconds => Quick ? 0.2 : 1;

    /// <summary>Origins compared with PostGIS one by one (distances and membership).</summary>
    public int ExactnessSample => Quick ? 50 : 300;

    /// <summary>Concurrent clients for HTTP and PostGIS: twice the cores, so a client is always waiting on the server.</summary>
    public static int Clients => 2 * Environment.ProcessorCount;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var sizesGiven = false;
        var secondsGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            switch (args[i])
            {
                case "--sizes":
                    options = options with { Sizes = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseSize)] };
                    sizesGiven = true;
                    break;
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "--seconds":
                    options = options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) };
                    secondsGiven = true;
                    break;
                case "--seed":
                    options = options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--api-dll":
                    options = options with { ApiDll = Next() };
                    break;
                case "--no-http":
                    options = options with { Http = false };
                    break;
                case "--postgres":
                    var connection = Next();
                    options = options with { Postgres = connection.Length == 0 ? null : connection };
                    break;
                case "--markdown":
                    options = options with { Markdown = Next() };
                    break;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    Environment.Exit(0);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}");
            }
        }

        if (options.Quick)
        {
            options = options with
            {
                Sizes = sizesGiven ? options.Sizes : [10_000],
                Seconds = secondsGiven ? options.Seconds : 0.5,
            };
        }

        return options;
    }

    public static string SizeLabel(int points) => points switch
    {
        >= 1_000_000 when points % 1_000_000 == 0 => $"{points / 1_000_000}M",
        >= 1_000 when points % 1_000 == 0 => $"{points / 1_000}k",
        _ => points.ToString(CultureInfo.InvariantCulture),
    };

    internal static int ParseSize(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var multiplier = t.EndsWith('k') ? 1_000 : t.EndsWith('m') ? 1_000_000 : 1;
        var digits = multiplier == 1 ? t : t[..^1];
        return checked((int)(double.Parse(digits, CultureInfo.InvariantCulture) * multiplier));
    }
}
