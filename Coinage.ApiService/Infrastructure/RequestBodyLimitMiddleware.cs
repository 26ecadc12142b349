using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Coinage.ApiService.Infrastructure;

/// <summary>
/// Answers 413 with problem details as soon as a declared Content-Length exceeds the limit,
/// before any endpoint code (authentication, validation, rate limiting) runs. Kestrel enforces
/// the same limit on bodies without a length (chunked) while they are read.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IProblemDetailsService problemDetails)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var declared = context.Request.ContentLength;
        var limit = EffectiveLimit(context);
        if (declared is null || limit is null || declared <= limit)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        // The unread body cannot be drained cheaply; a fresh connection is cheaper.
        context.Response.Headers.Connection = "close";
        await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Request body too large",
                Detail = $"The request body may be at most {limit} bytes.",
            },
        }).ConfigureAwait(false);
    }

    /// <summary>An endpoint's own [RequestSizeLimit]/DisableRequestSizeLimit wins over the server-wide limit.</summary>
    private static long? EffectiveLimit(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } endpointLimit)
        {
            return endpointLimit.MaxRequestBodySize;
        }
        return context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { } serverLimit
            ? serverLimit.MaxRequestBodySize
            : HttpConventions.MaxRequestBodyBytes;
    }
}
