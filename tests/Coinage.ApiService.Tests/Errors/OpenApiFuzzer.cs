using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coinage.ApiService.Tests.Errors;

public sealed record ApiParameter(string Name, string In, JsonElement Schema, bool Required);

/// <summary>One operation of the OpenAPI document; <see cref="Privileged"/> when it documents a 403.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonElement? BodySchema, bool Privileged)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>A request to send: <see cref="Target"/> is the path and query, already escaped.</summary>
public sealed record FuzzRequest(string What, HttpMethod Method, string Target, string? Accept, string? ContentType, byte[]? Body)
{
    public override string ToString()
    {
        var body = Body is null ? "" : " body=" + Shorten(Encoding.UTF8.GetString(Body), 160);
        return $"{Method} {Shorten(Target, 200)} [{What}] Accept={Accept ?? "-"} Content-Type={ContentType ?? "-"}{body}";
    }

    internal static string Shorten(string text, int length) => text.Length <= length ? text : $"{text[..length]}…({text.Length} chars)";
}

/// <summary>
/// Builds requests for every operation of an OpenAPI document: first one as documented (values
/// from the schemas), then the same with odd Accept and Content-Type headers, bad route and query
/// values, malformed bodies, wrong types, nulls, and huge or control-character strings. Each
/// operation draws from its own <see cref="Random"/>, seeded from the run's seed and the
/// operation's name: the same document and seed always give the same requests.
/// </summary>
public sealed class OpenApiFuzzer(JsonElement document, int seed)
{
    public static readonly string[] OddAccepts =
        ["application/xml", "text/html", "*/*;q=0", "garbage", "application/json;q=0", "text/plain, application/xml;q=0.9", "image/png", "application/*"];

    public static readonly string?[] OddContentTypes =
        ["text/plain", "application/xml", null, "multipart/form-data; boundary=fuzz", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "garbage", "application/json; charset=\"ebcdic\""];

    /// <summary>Route segments, already escaped: not numbers, huge numbers, encoded NUL, traversal, unicode, invalid UTF-8.</summary>
    public static readonly string[] BadSegments =
    [
        "abc", "-1", "0", "99999999999999999999999999999999", "1.5", "1e10", "%00", "a%00b", "%01%1F",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwindows", "%C3%BC%E2%82%AC%F0%9F%98%80", "%FF%FE", "%ED%A0%80",
        "%20", "null", "%7B%7D", "%27%20OR%201%3D1%20--", new string('9', 3000), "00000000-0000-0000-0000-000000000000",
    ];

    /// <summary>Query values, already escaped.</summary>
    public static readonly string[] BadQueryValues =
    [
        "%00", "a%00b", "%01%02%1F%7F", "%ED%A0%80", "%FF", "%C3%BC%E2%82%AC%F0%9F%98%80", "-1", "0", "99999999999999999999999999999999",
        "abc", "1e400", "NaN", "true", "%27%20OR%201%3D1%20--", "%3Cscript%3E", "..%2F..%2Fetc%2Fpasswd", new string('x', 5000), "",
        "2026-13-45T99:99:99Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    ];

    /// <summary>Whole bodies that are not what any operation reads.</summary>
    private static readonly string[] MalformedBodies =
    [
        "", "{", "}", "{\"a\":", "[1,2,3]", "null", "\"text\"", "42", "{\"a\":1,\"a\":2}", "\u0000", "<xml/>", "a=1&b=2",
        new string('[', 500) + new string(']', 500), "{\"x\":\"\\ud800\"}", "\uFEFF{}",
    ];

    // Stand-ins for what a JsonNode cannot hold, replaced in the serialized text.
    private const string LoneSurrogate = "@@lone-surrogate@@";
    private const string HugeNumber = "@@huge-number@@";
    private const string DeepNesting = "@@deep-nesting@@";

    private readonly JsonElement _schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var schemas) ? schemas : default;

    public IReadOnlyList<ApiOperation> Operations()
    {
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is not ("get" or "post" or "put" or "patch" or "delete"))
                {
                    continue;
                }
                var parameters = new List<ApiParameter>();
                foreach (var source in new[] { path.Value, operation.Value })
                {
                    if (source.TryGetProperty("parameters", out var list))
                    {
                        parameters.AddRange(list.EnumerateArray().Select(p => Resolve(p)).Select(p => new ApiParameter(
                            p.GetProperty("name").GetString()!,
                            p.GetProperty("in").GetString()!,
                            p.TryGetProperty("schema", out var schema) ? schema : default,
                            p.TryGetProperty("required", out var required) && required.GetBoolean())));
                    }
                }
                JsonElement? body = operation.Value.TryGetProperty("requestBody", out var requestBody)
                    && Resolve(requestBody).TryGetProperty("content", out var content)
                    && content.EnumerateObject().FirstOrDefault(c => c.Name.Contains("json", StringComparison.Ordinal)) is { Value.ValueKind: JsonValueKind.Object } json
                    && json.Value.TryGetProperty("schema", out var bodySchema)
                        ? bodySchema
                        : null;
                var privileged = operation.Value.TryGetProperty("responses", out var responses) && responses.TryGetProperty("403", out _);
                operations.Add(new ApiOperation(operation.Name.ToUpperInvariant(), path.Name, parameters, body, privileged));
            }
        }
        return [.. operations.OrderBy(o => o.Path, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal)];
    }

    /// <summary>The requests for one operation sent as one identity; an anonymous caller gets fewer (it stops at authentication).</summary>
    public IReadOnlyList<FuzzRequest> Requests(ApiOperation operation, string identity)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var random = new Random(seed ^ StableHash($"{operation} {identity}"));
        var requests = new List<FuzzRequest>();
        var method = new HttpMethod(operation.Method);
        var hasBody = operation.BodySchema is not null;
        string? Json(JsonNode? node) => hasBody ? Serialize(node) : null;
        JsonNode? DocumentedBody() => operation.BodySchema is { } schema ? Value(schema, "", random, 0) : null;

        FuzzRequest Request(string what, Dictionary<string, List<string>> values, string? body, string? accept = "application/json", string? contentType = "application/json") =>
            new(what, method, Target(operation, values), accept, body is null ? null : contentType, body is null ? null : Encoding.UTF8.GetBytes(body));

        requests.Add(Request("as documented", DocumentedValues(operation, random), Json(DocumentedBody())));
        foreach (var accept in Pick(random, OddAccepts, identity == "anonymous" ? 2 : 3))
        {
            requests.Add(Request("odd Accept", DocumentedValues(operation, random), Json(DocumentedBody()), accept));
        }
        var routeParameters = operation.Parameters.Where(p => p.In == "path").ToList();
        var queryParameters = operation.Parameters.Where(p => p.In == "query").ToList();
        var perParameter = identity == "anonymous" ? 1 : 2;
        foreach (var parameter in routeParameters)
        {
            foreach (var bad in Pick(random, BadSegments, perParameter))
            {
                var values = DocumentedValues(operation, random);
                values[parameter.Name] = [bad];
                requests.Add(Request($"route {parameter.Name}", values, Json(DocumentedBody())));
            }
        }
        foreach (var parameter in queryParameters)
        {
            // NUL reached PostgreSQL through a query value once (issue 19): every query parameter gets it.
            foreach (var bad in new[] { "a%00b" }.Concat(Pick(random, BadQueryValues, perParameter)))
            {
                var values = DocumentedValues(operation, random);
                values[parameter.Name] = [bad];
                requests.Add(Request($"query {parameter.Name}", values, Json(DocumentedBody())));
            }
        }
        if (hasBody || operation.Method is not "GET")
        {
            foreach (var contentType in Pick(random, OddContentTypes, identity == "anonymous" ? 1 : 3))
            {
                requests.Add(Request("odd Content-Type", DocumentedValues(operation, random), Serialize(DocumentedBody()) ?? "{}", contentType: contentType));
            }
        }
        if (identity == "anonymous" || !hasBody)
        {
            return requests;
        }
        foreach (var malformed in Pick(random, MalformedBodies, 4))
        {
            requests.Add(Request("malformed body", DocumentedValues(operation, random), malformed));
        }
        for (var i = 0; i < 12; i++)
        {
            var body = DocumentedBody();
            var what = Mutate(ref body, random);
            requests.Add(Request(what, DocumentedValues(operation, random), Serialize(body) ?? "null"));
        }
        return requests;
    }

    /// <summary>Route and query values as documented (escaped); required ones always, optional ones half of the time.</summary>
    private Dictionary<string, List<string>> DocumentedValues(ApiOperation operation, Random random)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var parameter in operation.Parameters.Where(p => p.In is "path" or "query"))
        {
            if (parameter.In == "query" && !parameter.Required && random.Next(2) == 0)
            {
                continue;
            }
            var value = parameter.Schema.ValueKind == JsonValueKind.Undefined ? JsonValue.Create("abc") : Value(parameter.Schema, parameter.Name, random, 0);
            values[parameter.Name] = value switch
            {
                JsonArray array => [.. array.Select(Scalar)],
                _ => [Scalar(value)],
            };
        }
        return values;

        static string Scalar(JsonNode? node) => Uri.EscapeDataString(node switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => node.ToJsonString(),
        });
    }

    private static string Target(ApiOperation operation, Dictionary<string, List<string>> values)
    {
        var path = operation.Path;
        var query = new List<string>();
        foreach (var parameter in operation.Parameters)
        {
            if (!values.TryGetValue(parameter.Name, out var list))
            {
                continue;
            }
            if (parameter.In == "path")
            {
                path = path.Replace("{" + parameter.Name + "}", list.FirstOrDefault() ?? "", StringComparison.Ordinal);
            }
            else if (parameter.In == "query")
            {
                query.AddRange(list.Select(v => $"{Uri.EscapeDataString(parameter.Name)}={v}"));
            }
        }
        return query.Count == 0 ? path : $"{path}?{string.Join('&', query)}";
    }

    /// <summary>A value the schema describes, nudged towards what the API accepts by the property's name.</summary>
    private JsonNode? Value(JsonElement schema, string name, Random random, int depth)
    {
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return JsonValue.Create("abc");
        }
        if (schema.TryGetProperty("enum", out var options) && options.GetArrayLength() > 0)
        {
            return JsonNode.Parse(options[random.Next(options.GetArrayLength())].GetRawText());
        }
        foreach (var composite in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(composite, out var choices) && choices.EnumerateArray().FirstOrDefault(c => Type(Resolve(c)) != "null") is { ValueKind: JsonValueKind.Object } choice)
            {
                return Value(choice, name, random, depth);
            }
        }
        if (depth > 5)
        {
            return null;
        }
        switch (Type(schema))
        {
            case "object":
                var result = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        result[property.Name] = Value(property.Value, property.Name, random, depth + 1);
                    }
                }
                return result;
            case "array":
                var items = schema.TryGetProperty("items", out var itemSchema) ? itemSchema : default;
                var array = new JsonArray();
                for (var i = random.Next(1, 3); i > 0; i--)
                {
                    array.Add(items.ValueKind == JsonValueKind.Undefined ? JsonValue.Create("abc") : Value(items, name, random, depth + 1));
                }
                return array;
            case "integer":
                return JsonValue.Create(random.Next(1, 100));
            case "number":
                return NamedValue(name, random) is { } named && decimal.TryParse(named, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(random.Next(1, 100));
            case "boolean":
                return JsonValue.Create(random.Next(2) == 0);
            case "null":
                return null;
            default:
                var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
                return JsonValue.Create(format switch
                {
                    "uuid" => NewGuid(random).ToString(),
                    "date-time" => new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 50_000)).ToString("O", CultureInfo.InvariantCulture),
                    "date" => "2026-11-01",
                    "email" => $"fuzz-{random.Next():x}@example.test",
                    "uri" => "https://example.test/",
                    _ => NamedValue(name, random) ?? $"fuzz{random.Next(1000)}",
                });
        }
    }

    private static string? NamedValue(string name, Random random) => name.ToLowerInvariant() switch
    {
        "market" or "symbol" => "BTC-USD",
        "asset" or "baseasset" or "quoteasset" or "feeasset" => random.Next(2) == 0 ? "BTC" : "USD",
        "side" => random.Next(2) == 0 ? "buy" : "sell",
        "type" => random.Next(2) == 0 ? "limit" : "market",
        "timeinforce" => "gtc",
        "price" => "100",
        "quantity" => "0.01",
        "amount" or "quoteamount" => "10",
        "email" => $"fuzz-{random.Next():x}@example.test",
        // Never the callers' real password: a documented request must not change or delete their account.
        "password" or "currentpassword" or "newpassword" => "a fuzzed passphrase 0123",
        "code" => "123456",
        "clientorderid" => $"fuzz-{random.Next():x}",
        "id" or "userid" or "orderid" or "sessionid" => NewGuid(random).ToString(),
        "address" => "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        _ => null,
    };

    /// <summary>Replaces one value of the body (or the whole body) with a wrong type, a null or a nasty string.</summary>
    private static string Mutate(ref JsonNode? body, Random random)
    {
        var slots = new List<(JsonNode Parent, string? Key, int Index, string Path)>();
        Collect(body, "$", slots);
        if (slots.Count == 0 || random.Next(8) == 0)
        {
            var (replacement, label) = Nasty(random);
            body = replacement;
            return $"whole body {label}";
        }
        var (parent, key, index, path) = slots[random.Next(slots.Count)];
        if (random.Next(6) == 0 && key is not null)
        {
            ((JsonObject)parent).Remove(key);
            return $"{path} missing";
        }
        var (value, what) = Nasty(random);
        if (key is not null)
        {
            parent[key] = value;
        }
        else
        {
            ((JsonArray)parent)[index] = value;
        }
        return $"{path} {what}";

        static void Collect(JsonNode? node, string path, List<(JsonNode, string?, int, string)> slots)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj.ToList())
                    {
                        slots.Add((obj, key, -1, $"{path}.{key}"));
                        Collect(child, $"{path}.{key}", slots);
                    }
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        slots.Add((array, null, i, $"{path}[{i}]"));
                        Collect(array[i], $"{path}[{i}]", slots);
                    }
                    break;
            }
        }
    }

    private static (JsonNode? Value, string What) Nasty(Random random) => random.Next(30) switch
    {
        0 => (null, "null"),
        1 => (JsonValue.Create(""), "empty"),
        2 => (JsonValue.Create("a\u0000b"), "NUL"),
        3 => (JsonValue.Create("\u0001\u0008\u001b\u001f\u007f"), "C0 controls"),
        4 => (JsonValue.Create(LoneSurrogate), "lone surrogate"),
        5 => (JsonValue.Create(new string('x', 10_000)), "10,000 chars"),
        6 => (JsonValue.Create(new string('y', 70_000)), "70,000 chars"),
        7 => (JsonValue.Create("\u202e\u200b😀ü€"), "unicode"),
        8 => (JsonValue.Create("' OR 1=1 --"), "SQL"),
        9 => (JsonValue.Create("<script>alert(1)</script>"), "script"),
        10 => (JsonValue.Create("../../../../etc/passwd"), "traversal"),
        11 => (JsonValue.Create("1e400"), "\"1e400\""),
        12 => (JsonValue.Create("-1"), "\"-1\""),
        13 => (JsonValue.Create("NaN"), "\"NaN\""),
        14 => (JsonValue.Create("99999999999999999999999999999999999999.5"), "huge decimal string"),
        15 => (JsonValue.Create("0.000000000000000000000000000000001"), "tiny decimal string"),
        16 => (JsonValue.Create(0), "0"),
        17 => (JsonValue.Create(-1), "-1"),
        18 => (JsonValue.Create(1.5), "1.5"),
        19 => (JsonValue.Create(1e308), "1e308"),
        20 => (JsonValue.Create(long.MaxValue), "long.MaxValue"),
        21 => (JsonValue.Create(HugeNumber), "1e400"),
        22 => (JsonValue.Create(true), "true"),
        23 => (new JsonArray(), "[]"),
        24 => (new JsonObject(), "{}"),
        25 => (new JsonArray(null, null), "[null,null]"),
        26 => (JsonValue.Create(DeepNesting), "deep nesting"),
        27 => (JsonValue.Create("   "), "blanks"),
        28 => (JsonValue.Create("2026-13-45T99:99:99Z"), "bad date"),
        _ => (JsonValue.Create(Guid.Empty.ToString()), "empty guid"),
    };

    private static string? Serialize(JsonNode? node)
    {
        var text = node is null ? "null" : node.ToJsonString();
        return text
            .Replace($"\"{LoneSurrogate}\"", "\"\\ud800x\"", StringComparison.Ordinal)
            .Replace($"\"{HugeNumber}\"", "1e400", StringComparison.Ordinal)
            .Replace($"\"{DeepNesting}\"", new string('[', 300) + new string(']', 300), StringComparison.Ordinal);
    }

    private JsonElement Resolve(JsonElement element)
    {
        for (var i = 0; i < 10 && element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$ref", out var reference); i++)
        {
            var name = reference.GetString()!.Split('/')[^1];
            if (_schemas.ValueKind != JsonValueKind.Object || !_schemas.TryGetProperty(name, out element))
            {
                return default;
            }
        }
        return element;
    }

    /// <summary>The schema's type, the first that is not "null" when it lists several (OpenAPI 3.1).</summary>
    private static string? Type(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (schema.TryGetProperty("type", out var type))
        {
            return type.ValueKind == JsonValueKind.Array
                ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "null"
                : type.GetString();
        }
        return schema.TryGetProperty("properties", out _) ? "object" : null;
    }

    /// <summary>From the operation's generator, not Guid.NewGuid: a rerun sends the same ids.</summary>
    private static Guid NewGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static IEnumerable<T> Pick<T>(Random random, IReadOnlyList<T> items, int count) =>
        Enumerable.Range(0, items.Count).OrderBy(_ => random.Next()).Take(count).Select(i => items[i]).ToList();

    /// <summary>FNV-1a: string.GetHashCode differs from one process to the next.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)hash;
    }
}
