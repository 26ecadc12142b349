using System.Text.Json;

namespace Coinage.Hosting;

/// <summary>
/// Generated secrets of a local run, kept in <c>.coinage/secrets.json</c> (mode 600) so the
/// PostgreSQL cluster initialised with a password can be opened with it next time. Tests keep
/// them in memory only.
/// </summary>
internal sealed class SecretStore(string? path)
{
    private readonly Lock _gate = new();
    private Dictionary<string, string>? _values;

    public string GetOrGenerate(string name)
    {
        lock (_gate)
        {
            _values ??= Load();
            if (!_values.TryGetValue(name, out var value))
            {
                value = ApplicationModel.SecretGenerator.Generate();
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
        Orchestration.FileModes.OwnerOnly(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
