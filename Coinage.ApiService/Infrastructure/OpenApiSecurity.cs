using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity.StepUp;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Coinage.ApiService.Infrastructure;

/// <summary>
/// How the OpenAPI document says who may call what: the session's bearer token, and the API key (docs/api-keys.md) as
/// the three headers a signed request carries. OpenAPI has no scheme for an HMAC signature, so each header is an
/// <c>apiKey</c> scheme and a keyed operation requires the three together (one requirement object), as an
/// alternative to the bearer; the key's entry names the scope the endpoint needs (OpenAPI 3.1 lets a requirement of
/// any scheme list "roles"). The operations follow the same metadata the gates read: <see cref="IAuthorizeData"/>
/// for a user, <see cref="AcceptsApiKey"/> for keys, never keys where a step-up is required (<see cref="ApiKeyGate"/>).
/// </summary>
internal sealed class OpenApiSecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Bearer = "bearer";
    public const string Key = ApiKeySignature.KeyHeader;
    public const string Timestamp = ApiKeySignature.TimestampHeader;
    public const string Signature = ApiKeySignature.SignatureHeader;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        var schemes = document.Components.SecuritySchemes;
        schemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access token of a signed-in session (POST /api/v1/auth/login), about ten minutes long.",
        };
        schemes[Key] = Header(Key, "The API key's id (ck_…). A keyed request carries Coinage-Key, Coinage-Timestamp and Coinage-Signature together; "
            + "the requirement names the scope the key needs (read, trade or withdraw). See docs/api-keys.md.");
        schemes[Timestamp] = Header(Timestamp, "Unix time of the request in milliseconds; within the receive window (5 s, or Coinage-Window up to 60 s) of the server's clock.");
        schemes[Signature] = Header(Signature, "Lowercase hex HMAC-SHA256, keyed with the key's secret, of timestamp, method, path with query, and body, each on its own line.");
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }
        var document = context.Document;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] });
        // The last one wins, as in the gate: an endpoint's own scope overrides its group's.
        if (metadata.OfType<AcceptsApiKey>().LastOrDefault() is { } accepts && !metadata.OfType<StepUpRequired>().Any())
        {
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(Key, document)] = [accepts.ScopeFor(context.Description.HttpMethod ?? HttpMethods.Get)],
                [new OpenApiSecuritySchemeReference(Timestamp, document)] = [],
                [new OpenApiSecuritySchemeReference(Signature, document)] = [],
            });
        }
        return Task.CompletedTask;
    }

    private static OpenApiSecurityScheme Header(string name, string description) =>
        new() { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = name, Description = description };
}
