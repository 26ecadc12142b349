using System.Text.Json;
using Aspire.Hosting.Publishing;

namespace Coinage.Hosting;

/// <summary>
/// Generated secrets of a local run, kept in <c>secrets.json</c> of the data directory (mode 600): the PostgreSQL
/// cluster initialised with a password must be opened with the same one next time, and the seeded administrator keeps
/// its password. Deleting the data directory (<c>./coinage reset</c>) forgets both together. Tests keep them in memory.
/// </summary>
internal sealed class SecretStore(string? path)
{
    private readonly Lock _gate = new();
    private Dictionary<string, string>? _values;

    public string GetOrGenerate(string name, Func<string> generate)
    {
        lock (_gate)
        {
            _values ??= Load();
            if (!_values.TryGetValue(name, out var value))
            {
                value = generate();
                _values[name] = value;
                Save();
            }
            return value;
        }
    }

    private Dictionary<string, string> Load() =>
        path is not null && File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
            : [];

    private void Save()
    {
        if (path is null)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_values, new JsonSerializerOptions { WriteIndented = true }));
        FileModes.OwnerOnly(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>
/// The default of a secret parameter: Aspire's generator (32 letters and digits: safe in every connection string),
/// remembered in the <see cref="SecretStore"/>. A value in configuration (<c>Parameters:{name}</c>) wins, as for any
/// Aspire parameter; a manifest says "generate" like Aspire's own default.
/// </summary>
internal sealed class StoredSecretDefault(SecretStore store, string name) : ParameterDefault
{
    private readonly GenerateParameterDefault _generator = new() { MinLength = 32, Special = false };

    public override string GetDefaultValue() => store.GetOrGenerate(name, _generator.GetDefaultValue);

    public override void WriteToManifest(ManifestPublishingContext context) => _generator.WriteToManifest(context);
}
