using Coinage.ApiService.Identity.PasswordPolicy;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Identity;

/// <summary><c>/api/v1/account</c>: the signed-in user's own profile, password, 2FA and sessions.</summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder routes)
    {
        var account = routes.MapGroup("/api/v1/account").WithTags("Account")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        account.MapGet("/profile", GetProfileAsync).WithSummary("The signed-in user's profile").WithMetadata(PasswordChangeGate.Allowed);
        account.MapPut("/anti-phishing-phrase", SetAntiPhishingPhraseAsync)
            .WithSummary("Set the phrase shown in every email from Coinage (null or empty removes it)")
            .ProducesValidationProblem();
        account.MapPost("/password", ChangePasswordAsync)
            .WithMetadata(PasswordChangeGate.Allowed)
            // The current password in the body is the proof of a user without a second factor.
            .RequireStepUp(secondFactorUsersOnly: true)
            .WithSummary("Change the password; signs out every other session. With 2FA on, needs a step-up (403 step_up_required)")
            .ProducesValidationProblem();
        account.MapPost("/2fa/setup", SetupTwoFactorAsync)
            .RequireStepUp()
            .WithSummary("Start TOTP enrolment: a new secret, its otpauth:// URI and a QR code (PNG data URI); needs a step-up (403 step_up_required)")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapPost("/2fa/enable", EnableTwoFactorAsync)
            .WithSummary("Enable 2FA with a code from the authenticator; answers the ten recovery codes")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapPost("/2fa/disable", DisableTwoFactorAsync)
            .WithSummary("Disable 2FA with the password and a current code (the step-up of this action)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapPost("/2fa/recovery-codes", RegenerateRecoveryCodesAsync)
            .WithSummary("Replace the recovery codes (needs a current code: the step-up of this action)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapGet("/sessions", ListSessionsAsync).WithSummary("Active sessions: device, IP, last seen");
        account.MapDelete("/sessions/{id}", RevokeSessionAsync)
            .WithSummary("Revoke one of the user's sessions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        account.MapPost("/sessions/revoke-others", RevokeOtherSessionsAsync).WithSummary("Sign out everywhere else");
        account.MapGet("/trading-eligibility", TradingEligibility)
            .WithSummary("Whether the account may trade and withdraw (needs a verified email: 403 email_not_verified)")
            .RequireAuthorization(Policies.VerifiedEmail)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return routes;
    }

    public static async Task<Results<Ok<ProfileResponse>, NotFound>> GetProfileAsync(AuthService auth, HttpContext http)
    {
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        var roles = await auth.Users.GetRolesAsync(user).ConfigureAwait(false);
        return TypedResults.Ok(new ProfileResponse(user.Id.ToString(), user.Email!, user.EmailConfirmed, user.TwoFactorEnabled,
            user.AntiPhishingPhrase is not null, user.AntiPhishingPhrase, roles.Order(StringComparer.Ordinal).ToList(), user.CreatedAt));
    }

    public static async Task<Results<NoContent, ValidationProblem, NotFound>> SetAntiPhishingPhraseAsync(
        AntiPhishingPhraseRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var phrase = errors.Text("phrase", request.Phrase?.Trim(), 64, required: false);
        if (phrase is not null && !phrase.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '.' or ',' or '!'))
        {
            errors.Add("phrase", "Letters, digits, spaces and - . , ! only.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        user.AntiPhishingPhrase = string.IsNullOrEmpty(phrase) ? null : phrase;
        await auth.Users.UpdateAsync(user).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ValidationProblem, NotFound>> ChangePasswordAsync(
        ChangePasswordRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var current = errors.Password("currentPassword", request.CurrentPassword);
        var next = errors.Password("newPassword", request.NewPassword);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        var policy = PasswordRules.Check(next!, user.Email, out var strength);
        if (policy.Count > 0)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["newPassword"] = policy.ToArray() },
                new Dictionary<string, object?> { ["passwordStrength"] = strength.Score });
        }
        var result = await auth.Users.ChangePasswordAsync(user, current!, next!).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return Problems.Validation("currentPassword", "The current password is wrong.");
        }
        await PasswordChangeGate.ClearAsync(auth.Users, user).ConfigureAwait(false);
        var revoked = await auth.Sessions.RevokeAsync(user.Id, "password_changed", except: http.User.SessionId(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.password_changed", user.Id, user.Id, http, new { revokedSessions = revoked.Count }, cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.PasswordChanged, user, auth.Now);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<TwoFactorSetupResponse>, ProblemHttpResult, NotFound>> SetupTwoFactorAsync(
        AuthService auth, TotpService totp, HttpContext http)
    {
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (user.TwoFactorEnabled)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "Two-factor authentication is already enabled", "Disable it first to enrol a new authenticator.");
        }
        var (secret, protectedSecret) = totp.NewSecret();
        user.TotpSecretProtected = protectedSecret;
        user.TotpLastTimeStep = null;
        await auth.Users.UpdateAsync(user).ConfigureAwait(false);
        var uri = TotpService.OtpAuthUri(secret, user.Email!);
        return TypedResults.Ok(new TwoFactorSetupResponse(secret, uri, TotpService.QrCodeDataUri(uri)));
    }

    public static async Task<Results<Ok<RecoveryCodesResponse>, ValidationProblem, ProblemHttpResult, NotFound>> EnableTwoFactorAsync(
        TwoFactorCodeRequest request, AuthService auth, TotpService totp, StepUpService stepUp, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var code = errors.Code("code", request.Code);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (user.TwoFactorEnabled || user.TotpSecretProtected is null)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, user.TwoFactorEnabled ? "Two-factor authentication is already enabled" : "Call /2fa/setup first");
        }
        if (!totp.VerifyAndConsume(user, code!))
        {
            return Problems.Validation("code", "The code is wrong, expired or already used.");
        }
        user.TwoFactorEnabled = true;
        await auth.Users.UpdateAsync(user).ConfigureAwait(false);
        // The code just checked is a second factor proven in this session: its next token says so,
        // as a sign-in with a code would (a privileged role needs it: SecondFactorRequirement).
        var sessionId = http.User.SessionId();
        if (await auth.Db.RefreshSessions.FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken).ConfigureAwait(false) is { } session
            && !session.Amr.Split(' ').Contains("otp"))
        {
            session.Amr += " otp";
        }
        var codes = await totp.RegenerateRecoveryCodesAsync(auth.Db, user.Id, cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.two_factor_enabled", user.Id, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.TwoFactorChanged, user, auth.Now, new Dictionary<string, string?> { ["enabled"] = "true" });
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // The same code is a fresh second factor: a password proof stops counting now that 2FA is on.
        await stepUp.RecordAsync(sessionId, StepUpMethods.Totp).ConfigureAwait(false);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, NotFound>> DisableTwoFactorAsync(
        DisableTwoFactorRequest request, AuthService auth, TotpService totp, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var password = errors.Password("password", request.Password);
        var code = errors.Code("code", request.Code);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (!user.TwoFactorEnabled)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "Two-factor authentication is not enabled");
        }
        if (!await auth.Users.CheckPasswordAsync(user, password!).ConfigureAwait(false))
        {
            return Problems.Validation("password", "The password is wrong.");
        }
        if (!totp.VerifyAndConsume(user, code!))
        {
            return Problems.Validation("code", "The code is wrong, expired or already used.");
        }
        user.TwoFactorEnabled = false;
        user.TotpSecretProtected = null;
        user.TotpLastTimeStep = null;
        await auth.Users.UpdateAsync(user).ConfigureAwait(false);
        // Recovery codes stand in for every second factor: they stay while a passkey does.
        if (!await auth.Db.Passkeys.AnyAsync(p => p.UserId == user.Id, cancellationToken).ConfigureAwait(false))
        {
            await auth.Db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await auth.AuditAsync("auth.two_factor_disabled", user.Id, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.TwoFactorChanged, user, auth.Now, new Dictionary<string, string?> { ["enabled"] = "false" });
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Tokens that count the second factor stop now (a privileged role stops answering to them).
        await auth.Sessions.BumpAccessVersionAsync(user.Id).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<RecoveryCodesResponse>, ValidationProblem, ProblemHttpResult, NotFound>> RegenerateRecoveryCodesAsync(
        TwoFactorCodeRequest request, AuthService auth, TotpService totp, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var code = errors.Code("code", request.Code);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (!user.TwoFactorEnabled)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "Two-factor authentication is not enabled");
        }
        if (!totp.VerifyAndConsume(user, code!))
        {
            return Problems.Validation("code", "The code is wrong, expired or already used.");
        }
        await auth.Users.UpdateAsync(user).ConfigureAwait(false);
        var codes = await totp.RegenerateRecoveryCodesAsync(auth.Db, user.Id, cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.recovery_codes_regenerated", user.Id, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    public static async Task<Ok<List<SessionResponse>>> ListSessionsAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var current = http.User.SessionId();
        var now = auth.Now;
        var sessions = await auth.Db.RefreshSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .Take(100)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(sessions.Select(s => new SessionResponse(s.Id.ToString(), s.Device, s.IpAddress, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.Id == current)).ToList());
    }

    /// <summary>Another user's session id answers 404, exactly like an unknown one.</summary>
    public static async Task<Results<NoContent, NotFound>> RevokeSessionAsync(string id, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var sessionId))
        {
            return TypedResults.NotFound();
        }
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var revoked = await auth.Sessions.RevokeAsync(userId, "revoked_by_user", only: sessionId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (revoked.Count == 0)
        {
            return TypedResults.NotFound();
        }
        await auth.AuditAsync("auth.session_revoked", userId, userId, http, new { sessionId }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> RevokeOtherSessionsAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var revoked = await auth.Sessions.RevokeAsync(userId, "revoked_others", except: http.User.SessionId(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.other_sessions_revoked", userId, userId, http, new { count = revoked.Count }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static Ok<TradingEligibilityResponse> TradingEligibility() => TypedResults.Ok(new TradingEligibilityResponse(true, true));
}
