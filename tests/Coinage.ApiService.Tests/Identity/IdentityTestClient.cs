using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OtpNet;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>Drives the identity endpoints the way a client does, and reads what the Worker would email from the outbox.</summary>
public sealed class IdentityTestClient(HttpClient http, string database)
{
    public const string Password = "correct horse battery staple 42";
    public const string TermsVersion = "2026-11-01";

    public HttpClient Http => http;

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.test";

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? accessToken = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        return http.SendAsync(request, Ct);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        return http.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return document.RootElement.Clone();
    }

    public static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).TryGetProperty("code", out var code) ? code.GetString() : null;

    public async Task RegisterAsync(string email, string password = Password)
    {
        using var response = await PostAsync("/api/v1/auth/register", new { email, password, acceptTerms = true, termsVersion = TermsVersion, privacyVersion = TermsVersion });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>The newest email of a type to an address, as the outbox payload (to, userId, data.token…).</summary>
    public async Task<JsonElement> LastEmailAsync(string email, string type)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT payload::text FROM outbox_messages WHERE type = @type AND payload->>'to' = @to ORDER BY created_at DESC, id DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("to", email);
        var payload = await command.ExecuteScalarAsync(Ct) as string;
        Assert.NotNull(payload);
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.Clone();
    }

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task VerifyAsync(string email)
    {
        var mail = await LastEmailAsync(email, "email.verify_email");
        using var response = await PostAsync("/api/v1/auth/verify-email", new { userId = mail.GetProperty("userId").GetString(), token = mail.GetProperty("data").GetProperty("token").GetString() });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public async Task<JsonElement> LoginAsync(string email, string password = Password, bool useCookie = false)
    {
        using var response = await PostAsync("/api/v1/auth/login", new { email, password, useCookie });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    /// <summary>Registered, verified and signed in: (access token, refresh token).</summary>
    public async Task<(string Access, string Refresh)> SignedInUserAsync(string email, bool verified = true)
    {
        await RegisterAsync(email);
        if (verified)
        {
            await VerifyAsync(email);
        }
        var tokens = await LoginAsync(email);
        return (tokens.GetProperty("accessToken").GetString()!, tokens.GetProperty("refreshToken").GetString()!);
    }

    public async Task<JsonElement> RefreshAsync(string refreshToken, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await PostAsync("/api/v1/auth/refresh", new { refreshToken });
        Assert.Equal(expected, response.StatusCode);
        return await JsonAsync(response);
    }

    public async Task<HttpStatusCode> ProfileStatusAsync(string accessToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/account/profile", accessToken);
        return response.StatusCode;
    }

    /// <summary>What the bootstrap administrator replaces the generated password with at the first sign-in.</summary>
    public const string AdminOwnPassword = "an administrator's own passphrase 2026";

    /// <summary>
    /// The configured administrator's first sign-in, the only way the platform allows it: the bootstrap
    /// password answers with <c>password_change_required</c>, the new password opens the account, and
    /// the Admin endpoints answer once TOTP is on. Returns an access token that reaches them.
    /// </summary>
    public async Task<string> BootstrapAdminAsync(string email, string bootstrapPassword) =>
        (await BootstrapAdminSessionAsync(email, bootstrapPassword)).Access;

    /// <summary><see cref="BootstrapAdminAsync"/>, with the refresh token and the TOTP secret for later step-ups.</summary>
    public async Task<(string Access, string Refresh, string Secret)> BootstrapAdminSessionAsync(string email, string bootstrapPassword)
    {
        var first = await LoginAsync(email, bootstrapPassword);
        Assert.Equal("password_change_required", first.GetProperty("code").GetString());
        using (var change = await PostAsync("/api/v1/account/password", new { currentPassword = bootstrapPassword, newPassword = AdminOwnPassword }, first.GetProperty("accessToken").GetString()))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }
        var changed = await RefreshAsync(first.GetProperty("refreshToken").GetString()!);
        return await EnrolSecondFactorAsync(changed.GetProperty("accessToken").GetString()!, changed.GetProperty("refreshToken").GetString()!);
    }

    /// <summary>
    /// Proves the session's user again (<c>POST /api/v1/account/step-up</c>), so sensitive actions answer it for
    /// the step-up window: with a TOTP code of <paramref name="stepOffset"/> time steps from now (a code works
    /// once: pass a later step than the last code used), or with the password for a user without 2FA.
    /// A sign-in or turning 2FA on is a proof already: this is for a session older than the window.
    /// </summary>
    public async Task StepUpAsync(string access, string? totpSecret, int stepOffset = 1)
    {
        object proof = totpSecret is null ? new { password = Password } : new { code = Totp(totpSecret, stepOffset) };
        using var response = await PostAsync("/api/v1/account/step-up", proof, access);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// Turns TOTP on in a signed-in session and refreshes it, so the new access token counts the second
    /// factor (what Support, Compliance and Admin need). Returns that token, the refresh token and the secret.
    /// </summary>
    public async Task<(string Access, string Refresh, string Secret)> EnrolSecondFactorAsync(string access, string refresh)
    {
        string secret;
        using (var setup = await PostAsync("/api/v1/account/2fa/setup", null, access))
        {
            Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
            secret = (await JsonAsync(setup)).GetProperty("secret").GetString()!;
        }
        using (var enable = await PostAsync("/api/v1/account/2fa/enable", new { code = Totp(secret) }, access))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }
        var refreshed = await RefreshAsync(refresh);
        return (refreshed.GetProperty("accessToken").GetString()!, refreshed.GetProperty("refreshToken").GetString()!, secret);
    }

    public static string Totp(string secret, int stepOffset = 0) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * stepOffset));
}
