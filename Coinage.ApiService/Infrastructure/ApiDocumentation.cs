using Scalar.AspNetCore;

namespace Coinage.ApiService.Infrastructure;

/// <summary>
/// The OpenAPI document generated from the endpoints (<c>/openapi/v1.json</c>), with who may call each
/// (<see cref="OpenApiSecurity"/>), and the Scalar UI over it (<c>/scalar</c>).
/// </summary>
internal static class ApiDocumentation
{
    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Coinage API";
                document.Info.Description = "Front office of the Coinage exchange. Errors are RFC 9457 problem details.";
                return Task.CompletedTask;
            });
            var security = new OpenApiSecurity();
            options.AddDocumentTransformer(security);
            options.AddOperationTransformer(security);
        });
        return builder;
    }

    /// <remarks>
    /// Mapped in every environment for now: the document describes only public endpoints. Revisit
    /// when internal endpoints appear.
    /// </remarks>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("Coinage API"));
        return app;
    }
}
