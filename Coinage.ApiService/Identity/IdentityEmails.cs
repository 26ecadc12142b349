using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.Domain.Outbox;

namespace Coinage.ApiService.Identity;

/// <summary>
/// The identity emails, written to the outbox in the caller's transaction (<see cref="EmailOutbox"/>).
/// </summary>
public static class IdentityEmails
{
    public const string VerifyEmail = "email.verify_email";
    public const string AccountExists = "email.account_exists";
    public const string PasswordReset = "email.password_reset";
    public const string PasswordChanged = "email.password_changed";
    public const string TwoFactorChanged = "email.two_factor_changed";
    public const string NewSignIn = "email.new_sign_in";
    public const string PasskeyChanged = "email.passkey_changed";

    /// <summary>The security notice of an API key created or revoked: its name and scopes, when, from where, and what to do if it was not the user.</summary>
    public const string ApiKeyCreated = "email.api_key_created";
    public const string ApiKeyRevoked = "email.api_key_revoked";

    public static void Enqueue(CoinageDbContext db, string type, CoinageUser user, DateTimeOffset now, IDictionary<string, string?>? data = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        EmailOutbox.Enqueue(db, type, new EmailRecipient(user.Email!, user.Id, user.AntiPhishingPhrase), now, data);
    }
}
