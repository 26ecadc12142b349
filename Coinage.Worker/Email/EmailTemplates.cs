using System.Text;
using System.Text.Json;

namespace Coinage.Worker.Email;

/// <summary>The outbox payload of an identity email (written by the ApiService's IdentityEmails).</summary>
public sealed record EmailPayload(string To, string UserId, string? AntiPhishingPhrase, Dictionary<string, string?> Data)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Keys of <see cref="Data"/> that grant access (verification and reset tokens).</summary>
    public static readonly IReadOnlySet<string> SecretKeys = new HashSet<string>(StringComparer.Ordinal) { "token" };

    public static EmailPayload Parse(string json) =>
        JsonSerializer.Deserialize<EmailPayload>(json, Json) ?? throw new InvalidOperationException("Empty email payload.");

    /// <summary>
    /// The payload without its secrets, kept once the email is sent: a one-time token has no
    /// business staying readable in the database after it left in the email.
    /// </summary>
    public string ToRedactedJson() =>
        JsonSerializer.Serialize(this with { Data = Data.ToDictionary(kv => kv.Key, kv => SecretKeys.Contains(kv.Key) ? "[sent]" : kv.Value) }, Json);
}

public sealed record RenderedEmail(string To, string Subject, string Text, string Html);

/// <summary>
/// Plain-text and HTML bodies of each email type (sent together as multipart/alternative). Links point at the
/// web front end (<c>Coinage:WebBaseUrl</c>) and are the HTML's button; the user's anti-phishing phrase, when
/// set, heads every email; in HTML every value is encoded (<see cref="EmailLayout"/>).
/// </summary>
public static class EmailTemplates
{
    public const string TypePrefix = "email.";

    public static RenderedEmail Render(string type, EmailPayload payload, Uri webBaseUrl)
    {
        static string OrElse(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(webBaseUrl);
        string Data(string key) => payload.Data.TryGetValue(key, out var value) ? value ?? "" : "";
        string Link(string path) => new Uri(webBaseUrl, $"{path}?userId={Uri.EscapeDataString(payload.UserId)}&token={Uri.EscapeDataString(Data("token"))}").ToString();

        var (subject, lines, link, action) = type switch
        {
            "email.verify_email" => ("Verify your email address", new[] { "Welcome to Coinage.", "Confirm your address to start trading. The link works once and expires in 24 hours." }, Link("/verify-email"), "Verify my email"),
            "email.account_exists" => ("Someone tried to register with your address", new[] { "Someone tried to open a Coinage account with this address, which already has one.", "If it was you, sign in or reset your password. Otherwise ignore this email." }, new Uri(webBaseUrl, "/forgot-password").ToString(), "Reset my password"),
            "email.password_reset" => ("Reset your password", new[] { "A password reset was requested for your account. The link works once and expires in 24 hours.", "If you did not ask for it, ignore this email: your password stays as it is." }, Link("/reset-password"), "Choose a new password"),
            "email.password_changed" => ("Your password was changed", new[] { "Your Coinage password was changed and your other sessions were signed out.", "If this was not you, reset your password now and contact support." }, new Uri(webBaseUrl, "/forgot-password").ToString(), "Reset my password"),
            "email.two_factor_changed" => (Data("enabled") == "true" ? "Two-factor authentication enabled" : "Two-factor authentication disabled",
                new[] { Data("enabled") == "true" ? "Two-factor authentication is now on for your account." : "Two-factor authentication was turned off for your account.", "If this was not you, reset your password now and contact support." },
                new Uri(webBaseUrl, "/account/security").ToString(), "Review my security settings"),
            "email.passkey_changed" => (Data("change") == "removed" ? "A passkey was removed from your account" : "A passkey was added to your account",
                new[]
                {
                    Data("change") == "removed"
                        ? $"The passkey \"{Data("name")}\" was removed from your Coinage account: it no longer signs in."
                        : $"A passkey named \"{Data("name")}\" was added to your Coinage account: it can sign in without your password.",
                    "If this was not you, remove it under Account, Security, change your password now and contact support.",
                },
                new Uri(webBaseUrl, "/account/security").ToString(), "Review my passkeys"),
            "email.new_sign_in" => ("New sign-in to your account",
                new[]
                {
                    $"Your account was signed in from a device we have not seen before: {Data("device")}, from {Data("ipAddress")}, at {Data("at")}.",
                    "If this was you, there is nothing to do: the device is now on your list of known devices.",
                    "If this was not you, change your password now and sign out that session; you can also forget the device.",
                },
                new Uri(webBaseUrl, "/account/sessions").ToString(), "Review my sessions"),
            "email.withdrawal_confirm" => ("Confirm your withdrawal",
                new[] { $"You asked to withdraw {Data("amount")} {Data("asset")} to {Data("address")}.", $"Confirm it with the link below before {Data("expiresAt")}; it works once. Until then the funds stay held, and you can cancel it in your wallet.", "If this was not you, do not click: cancel the withdrawal, change your password and contact support." },
                new Uri(webBaseUrl, $"/wallet/withdrawals/confirm?token={Uri.EscapeDataString(Data("token"))}").ToString(), "Confirm the withdrawal"),
            "email.withdrawal_completed" => ("Your withdrawal was sent",
                new[] { $"Your withdrawal of {Data("amount")} {Data("asset")} to {Data("address")} was sent (withdrawal {Data("withdrawalId")}).", "If this was not you, change your password and contact support." },
                new Uri(webBaseUrl, "/wallet").ToString(), "Open my wallet"),
            "email.withdrawal_released" => (Data("status") == "expired" ? "Your withdrawal expired" : "Your withdrawal was rejected",
                new[]
                {
                    Data("status") == "expired"
                        ? $"Your withdrawal of {Data("amount")} {Data("asset")} was not confirmed in time and has expired."
                        : $"Your withdrawal of {Data("amount")} {Data("asset")} to {Data("address")} was rejected{(string.IsNullOrWhiteSpace(Data("reason")) ? "." : $": {Data("reason")}.")}",
                    "The funds are available in your wallet again.",
                },
                new Uri(webBaseUrl, "/wallet").ToString(), "Open my wallet"),
            "email.withdrawal_address_added" => ("A withdrawal address was added to your account",
                new[]
                {
                    $"The {Data("asset")} address \"{Data("label")}\" ({Data("address")}) was added to your withdrawal address book at {Data("addedAt")}, from {Data("ipAddress")}.",
                    $"For your safety, no withdrawal can go to it before {Data("usableFrom")}.",
                    "If this was not you, remove the address in your wallet now (Withdrawal addresses), change your password and contact support.",
                },
                new Uri(webBaseUrl, "/wallet#withdrawal-addresses").ToString(), "Review my addresses"),
            "email.api_key_created" => ("A new API key was created on your account",
                new[]
                {
                    $"An API key named \"{Data("name")}\" was created on your Coinage account at {Data("at")}, from {Data("ipAddress")} ({Data("device")}).",
                    $"It can: {Data("scopes")}. IP allow-list: {OrElse(Data("ipAllowList"), "none, it answers from any address")}. Expires: {OrElse(Data("expiresAt"), "never")}.",
                    "A program holding it acts on your account within those scopes, without your password or second factor.",
                    "If this was not you, revoke the key now under Account, Security, API keys, sign out your other sessions, change your password and contact support.",
                },
                new Uri(webBaseUrl, "/account/security").ToString(), "Review my API keys"),
            "email.api_key_revoked" => ("An API key was revoked",
                new[]
                {
                    $"The API key \"{Data("name")}\" ({Data("apiKey")}, {Data("scopes")}) was revoked at {Data("at")}, from {Data("ipAddress")} ({Data("device")}): nothing can sign requests with it any more.",
                    "If this was not you, someone else is signed in to your account: sign out your other sessions now, change your password and contact support.",
                },
                new Uri(webBaseUrl, "/account/sessions").ToString(), "Review my sessions"),
            "email.export_ready" => ("Your data export is ready", new[] { $"The archive of your data is ready. The link works once, while you are signed in, until {Data("expiresAt")}.", "If you did not ask for it, change your password and sign out your other sessions." },
                new Uri(webBaseUrl, $"/account/privacy/download?export={Uri.EscapeDataString(Data("exportId"))}&token={Uri.EscapeDataString(Data("token"))}").ToString(), "Download my data"),
            "email.erasure_scheduled" => ("Your account will be erased", new[] { $"You asked us to erase your Coinage account. It will be erased on {Data("effectiveAt")}.", "Until then you can cancel on the privacy page. Records the law makes us keep (orders, trades, ledger) are kept under a pseudonym." },
                new Uri(webBaseUrl, "/account/privacy").ToString(), "Open privacy settings"),
            "email.erasure_cancelled" => ("Account erasure cancelled", new[] { "The erasure of your Coinage account was cancelled; your account stays as it is.", "If this was not you, change your password." },
                new Uri(webBaseUrl, "/account/privacy").ToString(), "Open privacy settings"),
            _ when type.StartsWith("email.marketing", StringComparison.Ordinal) => (Data("subject"), Data("body").Split('\n'), new Uri(webBaseUrl, "/account/privacy").ToString(), "Email preferences"),
            _ => throw new NotSupportedException($"No template for email type '{type}'."),
        };

        var text = new StringBuilder();
        if (!string.IsNullOrEmpty(payload.AntiPhishingPhrase))
        {
            text.AppendLine($"Your anti-phishing phrase: {payload.AntiPhishingPhrase}").AppendLine();
        }
        foreach (var line in lines)
        {
            text.AppendLine(line);
        }
        text.AppendLine().AppendLine(link).AppendLine().AppendLine("— Coinage");
        var html = EmailLayout.Html(subject, payload.AntiPhishingPhrase, lines, link, action);
        return new RenderedEmail(payload.To, subject, text.ToString(), html);
    }
}
