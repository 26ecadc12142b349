using System.Text;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;

namespace Coinage.Tests.Search;

/// <summary>
/// The official client over its own in-memory transport: each request is kept as sent (method, path
/// and query, body, credentials) and answered with the next recorded response body, through the
/// client's real serializers and response parsing.
/// </summary>
internal sealed class RecordedElasticsearch : IRequestInvoker
{
    /// <summary>Every answer of a real server carries it; the client refuses answers without it (product check).</summary>
    private static readonly Dictionary<string, IEnumerable<string>> ProductHeader = new(StringComparer.OrdinalIgnoreCase) { ["x-elastic-product"] = ["Elasticsearch"] };

    private readonly Queue<(int Status, string Body)> _answers = new();
    private Func<RecordedRequest, (int Status, string Body)>? _otherwise;

    public List<RecordedRequest> Requests { get; } = [];

    public ResponseFactory ResponseFactory { get; } = new InMemoryRequestInvoker().ResponseFactory;

    /// <summary>The client as <c>AddElasticsearchClient</c> builds it, for <c>http://elastic:s3cret@127.0.0.1:9200</c>.</summary>
    public ElasticsearchClient CreateClient() =>
        new(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://127.0.0.1:9200")), this)
            .Authentication(new BasicAuthentication("elastic", "s3cret")));

    /// <summary>Answers the requests after the queued answers run out (e.g. a bulk answer per document sent).</summary>
    public RecordedElasticsearch Otherwise(Func<RecordedRequest, (int Status, string Body)> answer)
    {
        _otherwise = answer;
        return this;
    }

    public void Dispose()
    {
    }

    public RecordedElasticsearch Answer(int status, string body)
    {
        _answers.Enqueue((status, body));
        return this;
    }

    public TResponse Request<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData)
        where TResponse : TransportResponse, new()
    {
        var answer = Record(endpoint, boundConfiguration, postData);
        return answer.Request<TResponse>(endpoint, boundConfiguration, postData);
    }

    public Task<TResponse> RequestAsync<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData, CancellationToken cancellationToken)
        where TResponse : TransportResponse, new()
    {
        var answer = Record(endpoint, boundConfiguration, postData);
        return answer.RequestAsync<TResponse>(endpoint, boundConfiguration, postData, cancellationToken);
    }

    private InMemoryRequestInvoker Record(Endpoint endpoint, BoundConfiguration configuration, PostData? postData)
    {
        var body = "";
        if (postData is not null)
        {
            using var stream = new MemoryStream();
            postData.Write(stream, configuration.ConnectionSettings, disableDirectStreaming: true);
            body = Encoding.UTF8.GetString(stream.ToArray());
        }
        string? authorization = null;
        if (configuration.AuthenticationHeader is { } header && header.TryGetAuthorizationParameters(out var parameters))
        {
            authorization = $"{header.AuthScheme} {parameters}";
        }
        var request = new RecordedRequest(endpoint.Method.ToString().ToUpperInvariant(), "/" + endpoint.PathAndQuery.TrimStart('/'), body, authorization, configuration.Accept);
        Requests.Add(request);
        var (status, text) = _answers.Count > 0 ? _answers.Dequeue() : _otherwise?.Invoke(request) ?? (200, "{}");
        return new InMemoryRequestInvoker(Encoding.UTF8.GetBytes(text), status, null, "application/json", ProductHeader);
    }
}

internal sealed record RecordedRequest(string Method, string PathAndQuery, string Body, string? Authorization, string? Accept)
{
    public string Line => $"{Method} {PathAndQuery}";
}
