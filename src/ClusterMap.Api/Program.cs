using ClusterMap.Api.Analysis;
using ClusterMap.Api.Client;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Maps;
using ClusterMap.Api.Ogc;
using ClusterMap.Api.Proximity;
using ClusterMap.Api.Tiles;
using ClusterMap.Api.Writes;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddClusterMapStore(builder.Configuration);
builder.Services.AddClusterMapRendering(builder.Configuration);
builder.Services.AddClusterMapClient(builder.Configuration);
builder.Services.AddClusterMapWrites(builder.Configuration);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddClusterMapProximity(builder.Configuration);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Encoder = GeoJsonWriting.WriterOptions.Encoder);
builder.Services.AddClusterMapOpenApi();
builder.AddClusterMapOperability();
builder.Services.AddClusterMapProtection(builder.Configuration);

var app = builder.Build();

// First, so that a store that cannot be opened stops start-up with one line before anything else resolves it.
if (!app.TryOpenStore())
{
    return 1;
}

app.UseClusterMapRequestIds();
app.UseHeadAsGet();
app.UseRouting();
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = ProtectionSetup.ExceptionStatusCode });
app.UseStatusCodePages();
app.UseClusterMapProtection();
app.UseSnapshotRefreshAfterWrites();
app.LoadMapFontsNow();
app.UseClusterMapClient();

app.MapLandingApi();
app.MapCollectionsApi();
app.MapCrsApi();
app.MapProximityApi();
app.MapAnalysisApi();
app.MapTilesApi();
app.MapTilesOgcApi();
app.MapMapsApi();
app.MapStaticMapsApi();
app.MapReportsApi();
app.MapClientApi();
app.MapWritesApi();
app.MapClusterMapOpenApi();
app.MapClusterMapHealth();

app.Run();
return 0;

/// <summary>Entry point, public so integration tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
