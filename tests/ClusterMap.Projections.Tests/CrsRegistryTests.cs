using ClusterMap.Projections.Tests.Fixtures;
using NetTopologySuite.Geometries;

namespace ClusterMap.Projections.Tests;

public class CrsRegistryTests
{
    [Theory]
    [InlineData("wgs84", "OGC:CRS84")]
    [InlineData("WGS84", "OGC:CRS84")]
    [InlineData("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84")]
    [InlineData("gcj02", "GCJ-02")]
    [InlineData("bd09", "BD-09")]
    [InlineData("http://127.0.0.1:5080/crs/GCJ-02", "GCJ-02")]
    [InlineData("https://maps.example.org/clustermap/crs/BD-09", "BD-09")]
    [InlineData("cgcs2000", "EPSG:4490")]
    [InlineData("EPSG:4326", "EPSG:4326")]
    [InlineData("epsg:3857", "EPSG:3857")]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/32651", "EPSG:32651")]
    [InlineData("urn:ogc:def:crs:EPSG::4549", "EPSG:4549")]
    public void TryResolve_AcceptedNames_ResolveToTheirCrs(string text, string code)
    {
        Assert.True(CrsRegistry.TryResolve(text, out var crs));
        Assert.Equal(code, crs.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("EPSG:")]
    [InlineData("EPSG:99999")]
    [InlineData("EPSG:2000")]
    [InlineData("mars2000")]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/abc")]
    public void TryResolve_UnknownOrUnbuildable_False(string text) => Assert.False(CrsRegistry.TryResolve(text, out _));

    [Fact]
    public void Served_ListsTheSevenOgcCrss_Crs84First()
    {
        Assert.Equal(["OGC:CRS84", "EPSG:4326", "EPSG:3857", "EPSG:4490", "EPSG:32651", "GCJ-02", "BD-09"], CrsRegistry.Served.Select(c => c.Code));
        Assert.Equal(CrsRegistry.Served.Count, CrsRegistry.Served.Select(c => c.Uri).Distinct().Count());
    }

    public static TheoryData<int, double, double, double, double> GdalProjected()
    {
        var data = new TheoryData<int, double, double, double, double>();
        foreach (var row in Fixture.Rows("gdal_projected.csv"))
        {
            var epsg = (int)row.Number("epsg");
            var lon = row.Number("lon");

            // Transverse Mercator is compared only within its 3° zone, where ProjNet's series and PROJ's
            // Poder/Engsager formulas agree to well under a millimetre; farther out the series diverge.
            if (epsg != 3857 && Math.Abs(lon - 123) > 3 && Math.Abs(lon - 120) > 3)
            {
                continue;
            }

            data.Add(epsg, lon, row.Number("lat"), row.Number("x"), row.Number("y"));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GdalProjected))]
    public void FromWgs84_Projected_MatchesGdalWithinOneCentimetre(int epsg, double lon, double lat, double x, double y)
    {
        var crs = CrsRegistry.Epsg(epsg)!;

        var projected = crs.FromWgs84(new Coordinate(lon, lat));

        // GDAL/PROJ is the independent reference (Fixtures/generate_fixtures.sh); 1 cm is far below any use here.
        Assert.Equal(x, projected.X, 0.01);
        Assert.Equal(y, projected.Y, 0.01);
    }

    [Theory]
    [MemberData(nameof(GdalProjected))]
    public void ToWgs84_Projected_InvertsGdalsCoordinates(int epsg, double lon, double lat, double x, double y)
    {
        var crs = CrsRegistry.Epsg(epsg)!;

        var wgs = crs.ToWgs84(new Coordinate(x, y));

        // 1e-7° is 1 cm.
        Assert.Equal(lon, wgs.X, 1e-7);
        Assert.Equal(lat, wgs.Y, 1e-7);
    }

    [Fact]
    public void Gcj02Crs_AreaOfUse_IsMainlandChina()
    {
        Assert.True(CrsRegistry.Gcj02.IsInAreaOfUse(new Coordinate(121.47, 31.23)));
        Assert.False(CrsRegistry.Gcj02.IsInAreaOfUse(new Coordinate(126.978, 37.5665)));
    }

    [Fact]
    public void GeometryConverter_PolygonThroughBd09_RoundTripsWithinOneCentimetre()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var polygon = factory.CreatePolygon([new(121.4, 31.2), new(121.5, 31.2), new(121.5, 31.3), new(121.4, 31.2)]);

        var back = GeometryConverter.ToWgs84(GeometryConverter.FromWgs84(polygon, CrsRegistry.Bd09), CrsRegistry.Bd09);

        // 1e-7° ≈ 1 cm.
        Assert.True(back.EqualsExact(polygon, 1e-7));
        Assert.False(GeometryConverter.FromWgs84(polygon, CrsRegistry.Bd09).EqualsExact(polygon, 1e-3));
    }

    // .prj files as GDAL 3.6 writes them (ESRI WKT, no AUTHORITY), and OGC WKT with one.
    [Theory]
    [InlineData("""PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]""", "EPSG:3857")]
    [InlineData("""GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]""", "OGC:CRS84")]
    [InlineData("""GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]""", "EPSG:4490")]
    [InlineData("""PROJCS["WGS 84 / UTM zone 51N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",123],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","32651"]]""", "EPSG:32651")]
    public void TryResolveWkt_PrjTexts_ResolveToTheirCrs(string wkt, string code)
    {
        Assert.True(CrsRegistry.TryResolveWkt(wkt, out var crs, out var reason), reason);
        Assert.Equal(code, crs.Code);
    }

    [Fact]
    public void TryResolveWkt_EsriUtm51WithoutAuthority_ProjectsLikeEpsg32651()
    {
        const string wkt = """PROJCS["WGS_1984_UTM_Zone_51N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]""";

        Assert.True(CrsRegistry.TryResolveWkt(wkt, out var crs, out var reason), reason);
        var peoplesSquare = new Coordinate(121.4737, 31.2304);

        // Same projection as EPSG:32651 built in code: agreement to a millimetre.
        var expected = CrsRegistry.Epsg(32651)!.FromWgs84(peoplesSquare);
        var actual = crs.FromWgs84(peoplesSquare);
        Assert.Equal(expected.X, actual.X, 0.001);
        Assert.Equal(expected.Y, actual.Y, 0.001);
    }

    [Fact]
    public void TryResolveWkt_Beijing1954_IsRefusedWithTheDatum()
    {
        const string wkt = """GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]""";

        Assert.False(CrsRegistry.TryResolveWkt(wkt, out _, out var reason));
        Assert.Contains("D_Beijing_1954", reason, StringComparison.Ordinal);
    }
}
