using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Errors as RFC 9457 problem details in JSON, for every Coinage service. Pair with
/// <c>UseStatusCodePages()</c> so bare error statuses (routing's 404/405, authentication's 401,
/// a proxy's 502) get a body too.
/// </summary>
public static class JsonProblemDetailsExtensions
{
    public static TBuilder AddJsonProblemDetails<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails();
        // Ours instead of the framework's, which writes nothing when Accept names no JSON type.
        builder.Services.RemoveAll<IProblemDetailsWriter>();
        builder.Services.AddSingleton<IProblemDetailsWriter, JsonProblemDetailsWriter>();
        return builder;
    }
}

/// <summary>
/// The only problem details writer: JSON (<c>application/problem+json</c>) whatever the request's
/// Accept header says. The framework's writer declines when Accept names no JSON type, which left an
/// error with an empty or text/plain body, or turned it into an empty 500 where a writer was
/// required (a trader's 403 asking for XML). The services speak JSON only, and RFC 9110 (§12.1)
/// lets a server answer in a format the client did not ask for rather than send 406.
/// </summary>
public sealed class JsonProblemDetailsWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public const string MediaType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        // No type means about:blank (RFC 9457 §4.2.1), whose title is the status' reason phrase.
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(
            problem, problem.GetType(), jsonOptions.Value.SerializerOptions, MediaType, http.RequestAborted));
    }
}
