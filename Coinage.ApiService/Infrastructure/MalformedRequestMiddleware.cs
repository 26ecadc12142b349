using System.Text;
using Coinage.ApiService.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Coinage.ApiService.Infrastructure;

/// <summary>
/// Refuses, before authentication and any endpoint code, what no endpoint can read: control
/// characters in a query or route value (400 naming the parameter: no id, symbol, cursor or search
/// term of the API has one, and PostgreSQL refuses a NUL in text, which made it a 500), and a body
/// whose Content-Type names a charset that cannot be decoded (415: the JSON reader throws on it).
/// </summary>
internal sealed class MalformedRequestMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public const string ControlCharacterMessage = "Control characters are not allowed.";

    public async Task InvokeAsync(HttpContext context)
    {
        if (HasUndecodableCharset(context.Request.ContentType))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Title = "Unsupported charset",
                    Detail = "The charset of the Content-Type is not known; send JSON in UTF-8.",
                },
            }).ConfigureAwait(false);
            return;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in context.Request.Query)
        {
            if (HasControlCharacter(name) || values.Any(HasControlCharacter))
            {
                errors[HasControlCharacter(name) ? "query" : name] = [ControlCharacterMessage];
            }
        }
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && HasControlCharacter(text))
            {
                errors[name] = [ControlCharacterMessage];
            }
        }
        if (errors.Count > 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new HttpValidationProblemDetails(errors)
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "One or more validation errors occurred.",
                    Type = Problems.TypeBase + ErrorCodes.ValidationFailed,
                    Extensions = { ["code"] = ErrorCodes.ValidationFailed },
                },
            }).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool HasControlCharacter(string? value) => value is not null && value.Any(char.IsControl);

    /// <summary>True when the Content-Type names a charset (quoted or not) that no encoding answers to.</summary>
    private static bool HasUndecodableCharset(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.Charset is not { HasValue: true } charset)
        {
            return false;
        }
        try
        {
            _ = Encoding.GetEncoding(HeaderUtilities.RemoveQuotes(charset).Value ?? "");
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
