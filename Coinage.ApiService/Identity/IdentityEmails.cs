using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.Domain.Outbox;

namespace Coinage.ApiService.Identity;

/// <summary>
/// The identity emails, written to the outbox in the caller's transaction; the Worker renders and
/// sends them (Coinage.Worker/Email). The payload carries what the template needs, and for links
/// the token: links are built by the Worker from <c>Coinage:WebBaseUrl</c>.
/// </summary>
public static class IdentityEmails
{
    public const string VerifyEmail = "email.verify_email";
    public const string AccountExists = "email.account_exists";
    public const string PasswordReset = "email.password_reset";
    public const string PasswordChanged = "email.password_changed";
    public const string TwoFactorChanged = "email.two_factor_changed";
    public const string NewSignIn = "email.new_sign_in";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Enqueue(CoinageDbContext db, string type, CoinageUser user, DateTimeOffset now, IDictionary<string, string?>? data = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        var payload = new EmailPayload(user.Email!, user.Id.ToString(), user.AntiPhishingPhrase, data is null ? [] : new Dictionary<string, string?>(data));
        db.OutboxMessages.Add(OutboxMessage.Create(type, JsonSerializer.Serialize(payload, Json), now));
    }
}

/// <summary>The outbox payload of every identity email (shared shape with the Worker's templates).</summary>
public sealed record EmailPayload(string To, string UserId, string? AntiPhishingPhrase, Dictionary<string, string?> Data);
