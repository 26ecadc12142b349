using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Coinage.Hosting.Otlp;

/// <summary>
/// When an API key is configured, every OTLP request must carry it in <c>x-otlp-api-key</c>
/// (Aspire's header name). Checked before the body is read, so an unauthenticated sender cannot
/// make the receiver parse anything.
/// </summary>
internal sealed class OtlpApiKey(string key)
{
    public const string HeaderName = "x-otlp-api-key";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool IsValid(string? presented) =>
        presented is not null
        // Hashing first gives both sides the same length, so the comparison time says nothing about the key.
        && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    public async Task<bool> AuthorizeAsync(HttpContext context)
    {
        if (IsValid(context.Request.Headers[HeaderName].ToString() is { Length: > 0 } value ? value : null))
        {
            return true;
        }
        const string message = "Missing or wrong x-otlp-api-key header.";
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC response: status in the headers, no body.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "16"; // UNAUTHENTICATED
            context.Response.Headers["grpc-message"] = message;
            return false;
        }
        await OtlpHttpEndpoints.WriteStatusAsync(context, StatusCodes.Status401Unauthorized, 16, message).ConfigureAwait(false);
        return false;
    }
}
