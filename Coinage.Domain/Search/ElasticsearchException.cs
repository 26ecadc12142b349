using Elastic.Transport.Products.Elasticsearch;

namespace Coinage.Domain.Search;

/// <summary>
/// Elasticsearch answered with an error, or did not answer. The client reports failures on the
/// response rather than throwing; <see cref="ElasticsearchResponses.Ensure"/> turns them into this, so
/// the indexer and search tell "no server" (<see cref="StatusCode"/> null) from "refused".
/// </summary>
public sealed class ElasticsearchException : Exception
{
    public ElasticsearchException(string message, int? statusCode, string? errorType, Exception? inner = null) : base(message, inner)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    public ElasticsearchException()
    {
    }

    public ElasticsearchException(string message) : base(message)
    {
    }

    public ElasticsearchException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The HTTP status, or null when there was no answer (connection refused, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>Elasticsearch's <c>error.type</c>, e.g. <c>index_not_found_exception</c>.</summary>
    public string? ErrorType { get; }
}

public static class ElasticsearchResponses
{
    /// <summary>
    /// The response when the call succeeded (or answered one of <paramref name="alsoAccepted"/>, e.g. 404
    /// for a delete of a missing index); otherwise an <see cref="ElasticsearchException"/>. A bulk response
    /// with item errors has succeeded here: its items are the caller's to read.
    /// </summary>
    public static T Ensure<T>(this T response, string operation, params int[] alsoAccepted) where T : ElasticsearchResponse
    {
        ArgumentNullException.ThrowIfNull(response);
        var call = response.ApiCallDetails;
        if (call.HasSuccessfulStatusCode && call.OriginalException is null || call.HttpStatusCode is { } accepted && alsoAccepted.Contains(accepted))
        {
            return response;
        }
        if (call.HttpStatusCode is not { } status)
        {
            throw new ElasticsearchException($"Elasticsearch {operation} got no answer: {call.OriginalException?.Message}", null, null, call.OriginalException);
        }
        var error = response.ElasticsearchServerError?.Error;
        throw new ElasticsearchException($"Elasticsearch {operation} answered {status}: {error?.Type}: {error?.Reason}", status, error?.Type, call.OriginalException);
    }
}
