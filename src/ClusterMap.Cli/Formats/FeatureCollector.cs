using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Formats;

/// <summary>
/// Collects the rows of a table-shaped file (GeoPackage, Shapefile) as features, with the same checks and the
/// same problem report as the GeoJSON and CSV readers: ids present and unique, geometry present and valid.
/// </summary>
internal sealed class FeatureCollector(string unit)
{
    private readonly List<FeatureRecord> _features = [];
    private readonly List<ImportProblem> _problems = [];
    private readonly Dictionary<string, string> _locations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

    public void Add(int number, string idField, object? idValue, Geometry? geometry, Func<string> properties)
    {
        var id = idValue switch
        {
            null or DBNull => null,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => idValue.ToString(),
        };
        id = id?.Trim();
        var anonymous = string.Create(CultureInfo.InvariantCulture, $"{unit} {number}");
        if (string.IsNullOrEmpty(id) || id.Length > 256 || id.Any(char.IsControl))
        {
            _problems.Add(new ImportProblem(anonymous, idField, "missing or invalid id: expected a non-empty value of at most 256 characters without control characters (name the id column with --id-field)"));
            return;
        }

        var location = string.Create(CultureInfo.InvariantCulture, $"{unit} {number} (id '{id}')");
        if (_seen.TryGetValue(id, out var first))
        {
            _problems.Add(new ImportProblem(location, idField, string.Create(CultureInfo.InvariantCulture, $"duplicate id: {unit} {first} has the same id; ids must be unique in a collection")));
            return;
        }

        _seen.Add(id, number);
        if (GeometryChecks.Problem(geometry) is { } problem)
        {
            _problems.Add(new ImportProblem(location, "geometry", problem));
            return;
        }

        _features.Add(new FeatureRecord(id, geometry!, properties()));
        _locations[id] = location;
    }

    public void Problem(ImportProblem problem) => _problems.Add(problem);

    public FeatureReadResult Result(string encodingName) => new(_features, _problems, encodingName, _locations);
}
