using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Identity;

/// <summary>The current versions of the documents a user accepts at registration, and where to read them (null: not configured).</summary>
public sealed record LegalDocumentsResponse(string TermsVersion, string PrivacyVersion, string? TermsUrl = null, string? PrivacyUrl = null);

/// <summary>
/// <c>GET /api/v1/auth/legal</c>: the sign-up form shows and submits these versions, so
/// publishing new terms is a configuration change (<c>Coinage:Identity:TermsVersion</c>), never a
/// front-end release.
/// </summary>
public static class LegalApi
{
    public static IEndpointRouteBuilder MapLegalApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/auth/legal", GetLegalDocuments)
            .WithTags("Authentication")
            .WithSummary("The current versions of the terms of service and the privacy policy")
            .AllowAnonymous();
        return routes;
    }

    public static Ok<LegalDocumentsResponse> GetLegalDocuments(IOptions<IdentitySecurityOptions> options) =>
        TypedResults.Ok(new LegalDocumentsResponse(options.Value.TermsVersion, options.Value.PrivacyVersion, Link(options.Value.TermsUrl), Link(options.Value.PrivacyUrl)));

    /// <summary>Only an http(s) address or a path of this site becomes a link: a mistyped setting must not put a javascript: URL in a form.</summary>
    private static string? Link(string? configured) =>
        configured is { Length: > 0 } url
        && ((Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp))
            || (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)))
            ? url
            : null;
}
