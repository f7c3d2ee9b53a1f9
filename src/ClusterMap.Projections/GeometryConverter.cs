using NetTopologySuite.Geometries;

namespace ClusterMap.Projections;

/// <summary>Converts whole geometries between a <see cref="Crs"/> and WGS84, coordinate by coordinate.</summary>
public static class GeometryConverter
{
    public static Geometry ToWgs84(Geometry geometry, Crs from) =>
        from.IsWgs84 ? geometry.Copy() : Apply(geometry, from.ToWgs84);

    public static Geometry FromWgs84(Geometry wgs84, Crs to) =>
        to.IsWgs84 ? wgs84.Copy() : Apply(wgs84, to.FromWgs84);

    private static Geometry Apply(Geometry geometry, Func<Coordinate, Coordinate> convert)
    {
        var copy = geometry.Copy();
        copy.Apply(new ConvertingFilter(convert));
        copy.GeometryChanged();
        return copy;
    }

    private sealed class ConvertingFilter(Func<Coordinate, Coordinate> convert) : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var converted = convert(new Coordinate(seq.GetX(i), seq.GetY(i)));
            seq.SetX(i, converted.X);
            seq.SetY(i, converted.Y);
        }
    }
}
