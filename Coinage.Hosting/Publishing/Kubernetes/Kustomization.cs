using YamlDotNet.Serialization;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>A kustomization.yaml, written field by field in the order people read them.</summary>
internal sealed class Kustomization
{
    private readonly List<KeyValuePair<string, object>> _fields = [];

    public Kustomization()
    {
        Set("apiVersion", "kustomize.config.k8s.io/v1beta1");
        Set("kind", "Kustomization");
    }

    public Kustomization Set(string field, object value)
    {
        _fields.Add(new(field, value));
        return this;
    }

    /// <summary>A JSON 6902 patch of one object.</summary>
    public static Dictionary<string, object> Patch(string kind, string name, params (string Op, string Path, object Value)[] operations) => new()
    {
        ["target"] = new Dictionary<string, object> { ["kind"] = kind, ["name"] = name },
        // JSON on one line: a valid YAML string that no folding can change.
        ["patch"] = System.Text.Json.JsonSerializer.Serialize(operations.Select(o => new Dictionary<string, object> { ["op"] = o.Op, ["path"] = o.Path, ["value"] = o.Value })),
    };

    public string Render(string header) =>
        $"# {header}\n" + Yaml(_fields.ToDictionary(f => f.Key, f => f.Value));

    public static string Yaml(object value) => new SerializerBuilder().DisableAliases().Build().Serialize(value);
}
