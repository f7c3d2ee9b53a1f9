using ClusterMap.Core.Analysis;
using ClusterMap.Core.Geodesy;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Analysis;

public class WhiteSpotsTests
{
    private static readonly Envelope _area = new(121.25, 121.7, 31.05, 31.4);

    [Fact]
    public void Find_EveryCell_EqualsBruteForceOverExactGeodesicDistances()
    {
        // Parks placed to within 1 km at most, so that some cells are certainly clear of them.
        var data = AnalysisData.Generate(seed: 5, parks: 60, institutions: 1200, _area, straddledParks: 0, polygons: false)
            .WithParks(p => p.UncertaintyMeters <= 1000);
        var (sources, parks) = ResearchBaseTests.Sources(data, split: 2);
        var settings = new WhiteSpotSettings(CellMeters: 2500, MinInstitutions: 8, InstitutionRadiusMeters: 2000, ParkRadiusMeters: 2500);
        var grid = EqualAreaGrid.Covering(_area, settings.CellMeters);

        var found = WhiteSpots.Find(grid, sources, parks, settings).ToDictionary(c => (c.Column, c.Row));

        var expectedCount = 0;
        var excludedByPark = 0;
        for (var row = 0; row < grid.Rows; row++)
        {
            for (var column = 0; column < grid.Columns; column++)
            {
                var centre = grid.Centre(column, row);
                var institutions = AnalysisData.BruteForceCount(centre, data.Institutions, settings.InstitutionRadiusMeters);
                var near = AnalysisData.BruteForceCount(centre, data.Parks, settings.ParkRadiusMeters);
                WhiteSpotStatus? status = institutions.Certain >= settings.MinInstitutions && near.AtMost == 0 ? WhiteSpotStatus.Certain
                    : institutions.AtMost >= settings.MinInstitutions && near.Certain == 0 ? WhiteSpotStatus.Possible
                    : null;
                excludedByPark += institutions.AtMost >= settings.MinInstitutions && status is null ? 1 : 0;
                if (status is null)
                {
                    Assert.False(found.ContainsKey((column, row)), $"cell {column},{row} is not a white spot");
                    continue;
                }

                expectedCount++;
                Assert.True(found.TryGetValue((column, row), out var cell), $"cell {column},{row} is a white spot ({status})");
                Assert.Equal(status, cell.Status);
                Assert.Equal(institutions, cell.Institutions);
                Assert.Equal(near, cell.Parks);
            }
        }

        Assert.Equal(expectedCount, found.Count);
        Assert.Contains(found.Values, c => c.Status == WhiteSpotStatus.Certain);
        Assert.Contains(found.Values, c => c.Status == WhiteSpotStatus.Possible);
        Assert.True(excludedByPark > 0, "no cell was excluded by a park");
    }

    [Fact]
    public void Grid_CellsHaveTheirNominalGroundArea()
    {
        // Each cell's area on the ellipsoid, from its corners (edges densified on the plane), is cell² within 0.05 %:
        // the projection is equal-area, so only the straight-edge approximation of each side costs anything.
        var grid = EqualAreaGrid.Covering(new Envelope(120.8, 122.2, 30.6, 31.9), 5000);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        foreach (var (column, row) in new[] { (0, 0), (grid.Columns - 1, grid.Rows - 1), (grid.Columns / 2, grid.Rows / 2), (0, grid.Rows - 1) })
        {
            var cell = grid.Cell(column, row, factory);
            Assert.True(cell.Shell.IsCCW, "RFC 7946 exterior rings are counter-clockwise");
            Assert.True(cell.Contains(factory.CreatePoint(grid.Centre(column, row))));
            var area = LambertEqualAreaTests.EllipsoidAreaOfLonLatPolygon(cell.Coordinates, densify: 50);
            Assert.Equal(1, area / (5000.0 * 5000.0), 3);
        }
    }

    [Fact]
    public void Grid_CoversTheExtent()
    {
        var extent = new Envelope(121.2, 121.8, 30.9, 31.5);
        var grid = EqualAreaGrid.Covering(extent, 1000);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var covered = factory.BuildGeometry([grid.Cell(0, 0, factory), grid.Cell(grid.Columns - 1, grid.Rows - 1, factory)]).EnvelopeInternal;
        Assert.True(covered.MinX <= extent.MinX && covered.MinY <= extent.MinY && covered.MaxX >= extent.MaxX - 0.02 && covered.MaxY >= extent.MaxY);
        Assert.InRange(grid.CellCount, 55L * 66, 62L * 70);
        Assert.True(Geodesic.DistanceMeters(grid.Centre(0, 0), grid.Centre(1, 0)) is > 999 and < 1001);
    }
}
