namespace Coinage.Web.Tests.Infrastructure;

public static class HttpResponseExtensions
{
    /// <summary>Cache-Control exactly as sent (HttpClient's parsed value reorders the directives), or null.</summary>
    public static string? CacheControl(this HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("Cache-Control", out var values) ? string.Join(", ", values) : null;
}
