using System.Net.Http.Headers;
using System.Text;

namespace Coinage.Domain.Search.Elasticsearch;

/// <summary>
/// Where Elasticsearch is, from <c>ConnectionStrings:elasticsearch</c> (Aspire's convention): a URL,
/// optionally with credentials, e.g. <c>http://elastic:secret@127.0.0.1:9200</c>. No connection
/// string means no Elasticsearch: search answers from PostgreSQL and indexing waits.
/// </summary>
public sealed class ElasticsearchSettings
{
    /// <summary>The Aspire resource name: configuration key <c>ConnectionStrings:elasticsearch</c>.</summary>
    public const string ConnectionName = "elasticsearch";

    public static readonly ElasticsearchSettings NotConfigured = new(null, null);

    private ElasticsearchSettings(Uri? baseAddress, AuthenticationHeaderValue? authorization)
    {
        BaseAddress = baseAddress;
        Authorization = authorization;
    }

    /// <summary>The server's root, without credentials; null when none is configured.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>Basic credentials taken out of the URL, so they never appear in logs or traces.</summary>
    public AuthenticationHeaderValue? Authorization { get; }

    public bool IsConfigured => BaseAddress is not null;

    /// <exception cref="FormatException">The connection string is not an absolute http(s) URL.</exception>
    public static ElasticsearchSettings Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return NotConfigured;
        }
        if (!Uri.TryCreate(connectionString.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"ConnectionStrings:{ConnectionName} must be an http(s) URL such as http://user:password@host:9200.");
        }
        AuthenticationHeaderValue? authorization = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            var user = Uri.UnescapeDataString(parts[0]);
            var password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        var root = new UriBuilder(uri) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri;
        var path = root.AbsolutePath.EndsWith('/') ? root.AbsoluteUri : root.AbsoluteUri + "/";
        return new ElasticsearchSettings(new Uri(path), authorization);
    }
}
