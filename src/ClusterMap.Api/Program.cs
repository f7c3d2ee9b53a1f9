using ClusterMap.Api.Hosting;
using ClusterMap.Api.Maps;
using ClusterMap.Api.Ogc;
using ClusterMap.Api.Tiles;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddClusterMapStore(builder.Configuration);
builder.Services.AddClusterMapRendering(builder.Configuration);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Encoder = GeoJsonWriting.WriterOptions.Encoder);
builder.Services.AddClusterMapOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.OpenStoreNow();
app.LoadMapFontsNow();

app.MapLandingApi();
app.MapCollectionsApi();
app.MapTilesApi();
app.MapStaticMapsApi();
app.MapClusterMapOpenApi();

app.Run();

/// <summary>Entry point, public so integration tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
