using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Identity;

/// <summary>The current versions of the documents a user accepts at registration.</summary>
public sealed record LegalDocumentsResponse(string TermsVersion, string PrivacyVersion);

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
        TypedResults.Ok(new LegalDocumentsResponse(options.Value.TermsVersion, options.Value.PrivacyVersion));
}
