using System.Net.Http.Headers;
using System.Text.Json;

namespace Coinage.ApiService.Tests.Errors;

/// <summary>What every error answer of the API must be: never 5xx, and a 4xx is RFC 9457 problem details in JSON.</summary>
public static class ProblemAnswer
{
    public const string MediaType = "application/problem+json";

    /// <summary>Why the answer breaks the rule, or null when it keeps it.</summary>
    public static string? Violation(int status, MediaTypeHeaderValue? contentType, string body)
    {
        if (status >= 500)
        {
            return $"answered {status}";
        }
        if (status < 400)
        {
            return null;
        }
        if (contentType?.MediaType != MediaType)
        {
            return $"{status} as '{contentType?.ToString() ?? "no content type"}', not {MediaType}";
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return $"{status} with a problem that is not a JSON object";
            }
            if (!root.TryGetProperty("status", out var problemStatus) || problemStatus.ValueKind != JsonValueKind.Number || problemStatus.GetInt32() != status)
            {
                return $"{status} with a problem whose status is not {status}";
            }
            if (!root.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String || title.GetString()!.Length == 0)
            {
                return $"{status} with a problem without a title";
            }
        }
        catch (JsonException exception)
        {
            return $"{status} with a body that is not JSON ({exception.Message})";
        }
        return null;
    }

    /// <summary>Asserts the rule and returns the problem's body.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, int expectedStatus)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(expectedStatus, (int)response.StatusCode);
        Assert.Null(Violation((int)response.StatusCode, response.Content.Headers.ContentType, body));
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
