using System.CommandLine;
using System.Globalization;
using ClusterMap.Core.Storage;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap keys create|list|revoke</c>: the API keys that the write API accepts. A key is printed once, when
/// it is made; the store keeps only its id, name and the SHA-256 of its secret.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Who or what the key is for (shown by keys list)", Required = true, HelpName = "NAME" };
        var noStore = new Option<bool>("--no-store") { Description = "Do not store the key; print the Writes:ApiKeys settings that make the service accept it instead" };
        var createDatabase = CommonOptions.Database();
        var create = new Command("create", "Make a new API key and print it (once).") { name, noStore, createDatabase };
        create.SetAction((result, cancellationToken) => CreateAsync(result.GetValue(name)!, result.GetValue(noStore), result.GetValue(createDatabase)!, Console.Out, Console.Error, cancellationToken));

        var listDatabase = CommonOptions.Database();
        var list = new Command("list", "List the stored API keys (ids, names, creation times; never secrets).") { listDatabase };
        list.SetAction((result, cancellationToken) => ListAsync(result.GetValue(listDatabase)!, Console.Out, Console.Error, cancellationToken));

        var keyId = new Argument<string>("key-id") { Description = "The key's id (the 12 hex digits after cm_), or the whole key" };
        var revokeDatabase = CommonOptions.Database();
        var revoke = new Command("revoke", "Revoke an API key: the service refuses it from the next request on.") { keyId, revokeDatabase };
        revoke.SetAction((result, cancellationToken) => RevokeAsync(result.GetValue(keyId)!, result.GetValue(revokeDatabase)!, Console.Out, Console.Error, cancellationToken));

        return new Command("keys", "Manage the API keys of the write API.") { create, list, revoke };
    }

    public static async Task<int> CreateAsync(string name, bool noStore, string databasePath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(char.IsControl))
        {
            await error.WriteLineAsync("--name: expected a non-empty name of at most 200 characters without control characters.");
            return 2;
        }

        var (key, record) = ApiKeys.Create(name.Trim(), DateTimeOffset.UtcNow);
        if (noStore)
        {
            await output.WriteLineAsync(key);
            await error.WriteLineAsync("The key above is shown only now. To make the service accept it, set (e.g. as environment variables):");
            await error.WriteLineAsync($"  Writes__ApiKeys__0__KeyId={record.KeyId}");
            await error.WriteLineAsync($"  Writes__ApiKeys__0__Name={record.Name}");
            await error.WriteLineAsync($"  Writes__ApiKeys__0__SecretSha256={Convert.ToHexStringLower(record.SecretSha256)}");
            return 0;
        }

        // A new file here would be a database without the shipped data, which the service then never builds.
        if (!StoreLocation.Parse(databasePath).Exists)
        {
            await error.WriteLineAsync($"{StoreLocation.Parse(databasePath).Display}: no such database (start the service once to build it, or import a file into it, then create keys).");
            return 1;
        }

        var store = await OpenAsync(databasePath, cancellationToken);
        await store.AddApiKeyAsync(record, cancellationToken);
        // The key alone on stdout, so scripts can capture it; what to do with it on stderr.
        await output.WriteLineAsync(key);
        await error.WriteLineAsync($"Created API key {record.KeyId} ('{record.Name}') in {StoreLocation.Parse(databasePath).Display}. It is shown only now: keep it secret. Send it as 'Authorization: Bearer <key>'.");
        return 0;
    }

    public static async Task<int> ListAsync(string databasePath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!StoreLocation.Parse(databasePath).Exists)
        {
            await error.WriteLineAsync($"{StoreLocation.Parse(databasePath).Display}: no such database.");
            return 1;
        }

        var store = await OpenAsync(databasePath, cancellationToken);
        var keys = await store.GetApiKeysAsync(cancellationToken);
        await output.WriteLineAsync($"{"key id",-12}  {"created (UTC)",-20}  name");
        foreach (var key in keys)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{key.KeyId,-12}  {key.CreatedAt.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss}  {key.Name}"));
        }

        return 0;
    }

    public static async Task<int> RevokeAsync(string keyOrId, string databasePath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var keyId = ApiKeys.TryParse(keyOrId, out var parsedId, out _) ? parsedId : keyOrId;
        if (!StoreLocation.Parse(databasePath).Exists)
        {
            await error.WriteLineAsync($"{StoreLocation.Parse(databasePath).Display}: no such database.");
            return 1;
        }

        var store = await OpenAsync(databasePath, cancellationToken);
        if (!await store.RevokeApiKeyAsync(keyId, cancellationToken))
        {
            await error.WriteLineAsync($"key-id: no stored key has the id '{keyId}' (keys list shows them).");
            return 1;
        }

        await output.WriteLineAsync($"Revoked API key {keyId}.");
        return 0;
    }

    private static Task<IFeatureStore> OpenAsync(string databasePath, CancellationToken cancellationToken) =>
        StoreLocation.Parse(databasePath).OpenAsync(cancellationToken);
}
