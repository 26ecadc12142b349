using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace Coinage.Hosting.Otlp;

/// <summary>An attribute as ops read it: a name and a display string.</summary>
public sealed record TelemetryAttribute(string Key, string Value);

/// <summary>
/// Which service sent the telemetry: <c>service.name</c> (the resource name in the app model)
/// and <c>service.instance.id</c> (one replica).
/// </summary>
public sealed record TelemetrySource(string Resource, string Instance)
{
    public const string Unknown = "unknown_service";

    internal static TelemetrySource From(OpenTelemetry.Proto.Resource.V1.Resource? resource)
    {
        string? name = null, instance = null;
        if (resource is not null)
        {
            foreach (var attribute in resource.Attributes)
            {
                if (attribute.Key == "service.name")
                {
                    name = attribute.Value?.StringValue;
                }
                else if (attribute.Key == "service.instance.id")
                {
                    instance = attribute.Value?.StringValue;
                }
            }
        }
        name = string.IsNullOrWhiteSpace(name) ? Unknown : name;
        return new TelemetrySource(name, string.IsNullOrWhiteSpace(instance) ? name : instance);
    }
}

internal static class OtlpConversions
{
    public static DateTimeOffset FromUnixNanos(ulong nanos) =>
        nanos == 0 ? DateTimeOffset.UnixEpoch : DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(nanos / 100, (ulong)DateTimeOffset.MaxValue.UtcTicks - 1));

    /// <summary>Lower-case hex, the way W3C trace context and every tracing UI spells ids.</summary>
    public static string ToHex(ByteString id) => id.IsEmpty ? "" : Convert.ToHexStringLower(id.Span);

    public static IReadOnlyList<TelemetryAttribute> Attributes(RepeatedField<KeyValue> attributes, TelemetryLimits limits)
    {
        if (attributes.Count == 0)
        {
            return [];
        }
        var list = new List<TelemetryAttribute>(Math.Min(attributes.Count, limits.MaxAttributeCount));
        foreach (var attribute in attributes)
        {
            if (list.Count == limits.MaxAttributeCount)
            {
                break;
            }
            list.Add(new TelemetryAttribute(Truncate(attribute.Key, 256), Truncate(Display(attribute.Value), limits.MaxAttributeLength)));
        }
        return list;
    }

    public static string Display(AnyValue? value, int depth = 0)
    {
        if (value is null || depth > 8)
        {
            return "";
        }
        return value.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
            AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(v => Display(v, depth + 1))) + "]",
            AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {Display(kv.Value, depth + 1)}")) + "}",
            _ => "",
        };
    }

    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    /// <summary>A stable key for an attribute set (the series of a metric).</summary>
    public static string SeriesKey(IReadOnlyList<TelemetryAttribute> attributes)
    {
        if (attributes.Count == 0)
        {
            return "";
        }
        var builder = new StringBuilder();
        foreach (var attribute in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (builder.Length > 0)
            {
                builder.Append(", ");
            }
            builder.Append(attribute.Key).Append('=').Append(attribute.Value);
        }
        return builder.ToString();
    }
}
