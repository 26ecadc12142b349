using System.Diagnostics;
using Microsoft.Extensions.Compliance.Redaction;
using OpenTelemetry;

namespace Coinage.ServiceDefaults.Compliance;

/// <summary>
/// Redacts personal data in spans before any exporter sees them, as the logging pipeline does for
/// log lines: addresses and user agents (set by the ASP.NET Core and HttpClient instrumentations)
/// become the same HMAC tokens the logs carry, and query strings — where a SignalR access token or
/// a search for an email can sit — lose their values.
/// </summary>
public sealed class PersonalDataActivityProcessor(IRedactorProvider redactors) : BaseProcessor<Activity>
{
    /// <summary>Tags that identify a person (OpenTelemetry semantic conventions, current and older names).</summary>
    public static readonly IReadOnlySet<string> PersonalTags = new HashSet<string>(StringComparer.Ordinal)
    {
        "client.address", "client.socket.address", "network.peer.address", "net.peer.ip", "net.sock.peer.addr",
        "http.client_ip", "user_agent.original", "http.user_agent", "enduser.id", "user.email", "user.name",
    };

    /// <summary>Tags holding a URL or query string: kept, with every query value replaced.</summary>
    public static readonly IReadOnlySet<string> UrlTags = new HashSet<string>(StringComparer.Ordinal)
    {
        "url.query", "url.full", "http.url", "http.target",
    };

    private readonly Redactor _personal = redactors.GetRedactor(CoinageTaxonomy.PersonalData);

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        List<KeyValuePair<string, string?>>? changes = null;
        foreach (var tag in data.TagObjects)
        {
            if (tag.Value is null)
            {
                continue;
            }
            string? replacement = null;
            if (PersonalTags.Contains(tag.Key))
            {
                replacement = _personal.Redact(tag.Value.ToString());
            }
            else if (UrlTags.Contains(tag.Key))
            {
                replacement = RedactQuery(tag.Value.ToString() ?? "");
            }
            if (replacement is not null)
            {
                (changes ??= []).Add(new(tag.Key, replacement));
            }
        }
        // Not while enumerating: SetTag changes the collection.
        foreach (var (key, value) in changes ?? [])
        {
            data.SetTag(key, value);
        }
    }

    /// <summary><c>/path?a=1&amp;b=2</c> → <c>/path?a=[redacted]&amp;b=[redacted]</c>; a bare query string likewise.</summary>
    public static string RedactQuery(string value)
    {
        var start = value.IndexOf('?', StringComparison.Ordinal);
        var (head, query) = start >= 0 ? (value[..(start + 1)], value[(start + 1)..]) : ("", value);
        if (query.Length == 0 || (start < 0 && !query.Contains('=', StringComparison.Ordinal)))
        {
            return value;
        }
        var fragment = query.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            query = query[..fragment];
        }
        return head + string.Join('&', query.Split('&').Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? "[redacted]" : pair[..(equals + 1)] + "[redacted]";
        }));
    }
}
