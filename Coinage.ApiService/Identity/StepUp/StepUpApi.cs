using Coinage.ApiService.Identity.Passkeys;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.ApiService.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.Identity.StepUp;

/// <summary>Exactly one of: a passkey's assertion, a TOTP code, a recovery code, or (for a user without a second factor) the password.</summary>
/// <param name="Passkey">The answer to a ceremony from <c>POST /api/v1/account/step-up/passkey/options</c>.</param>
public sealed record StepUpRequest(string? Code, string? RecoveryCode, string? Password, PasskeyAssertionRequest? Passkey = null);

/// <param name="Method">How the user proved themselves (<see cref="StepUpMethods"/>).</param>
/// <param name="FreshUntil">Until when sensitive actions answer this session without asking again.</param>
public sealed record StepUpResponse(string Method, DateTimeOffset FreshUntil);

/// <summary><c>POST /api/v1/account/step-up</c>: prove it is still you before a sensitive action.</summary>
public static class StepUpApi
{
    public static IEndpointRouteBuilder MapStepUpApi(this IEndpointRouteBuilder routes)
    {
        var stepUp = routes.MapGroup("/api/v1/account/step-up").WithTags("Account")
            .RequireAuthorization()
            // An account whose password must be replaced and that has a second factor proves itself here for the change.
            .WithMetadata(PasswordChangeGate.Allowed)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        stepUp.MapPost("", StepUpAsync)
            .WithSummary("Prove it is still you (a passkey, a TOTP code, a recovery code, or the password when there is no second factor); sensitive actions then answer this session for the step-up window")
            // Guessing codes through a stolen session costs the same budget as guessing them at sign-in.
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerAccount, c => c.HttpContext.User.UserId().ToString("N"))
            .ProducesValidationProblem();
        stepUp.MapPost("/passkey/options", PasskeyOptionsAsync)
            .WithSummary("WebAuthn request options for a step-up with one of your passkeys (then POST /api/v1/account/step-up with passkey); valid once, for this purpose only")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    public static async Task<Results<Ok<PasskeyCeremony>, ProblemHttpResult>> PasskeyOptionsAsync(
        PasskeyService passkeys, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        if (!await passkeys.HasAnyAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "No passkey registered", "Confirm with a code from your authenticator, a recovery code or your password.");
        }
        return TypedResults.Ok(await passkeys.AssertionOptionsAsync(PasskeyPurpose.StepUp, userId, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<StepUpResponse>, ValidationProblem, NotFound>> StepUpAsync(
        StepUpRequest request, AuthService auth, TotpService totp, PasskeyService passkeys, StepUpService stepUp, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var given = new object?[] { request.Passkey, request.Code, request.RecoveryCode, request.Password }.Count(v => v is not null);
        if (given != 1)
        {
            errors.Add(request.Passkey is not null ? "passkey" : request.Code is null ? "recoveryCode" : "code", "Give exactly one of passkey, code, recoveryCode and password.");
            return errors.ToProblem();
        }
        string? ceremonyId = null;
        if (request.Passkey is { } passkey)
        {
            ceremonyId = errors.Text("passkey.ceremonyId", passkey.CeremonyId, 64);
            if (passkey.Credential is null)
            {
                errors.Add("passkey.credential", "This field is required.");
            }
            else
            {
                passkey.Credential.Validate(errors, "passkey.credential", registration: false);
            }
        }
        var code = request.Code is null ? null : errors.Code("code", request.Code);
        var recoveryCode = request.RecoveryCode is null ? null : errors.Code("recoveryCode", request.RecoveryCode);
        var password = request.Password is null ? null : errors.Password("password", request.Password);
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
        var factors = await stepUp.SecondFactorsAsync(user.Id, cancellationToken).ConfigureAwait(false);
        string method;
        if (request.Passkey is not null)
        {
            // The ceremony names its user and purpose: another user's, or one started for a sign-in, answers nothing here.
            var verified = await passkeys.VerifyAssertionAsync(PasskeyPurpose.StepUp, ceremonyId!, request.Passkey.Credential!, user.Id, cancellationToken).ConfigureAwait(false);
            if (!verified.Succeeded)
            {
                return verified.Failure == PasskeyFailure.CeremonyExpired
                    ? await FailedAsync(auth, http, user.Id, "passkey.ceremonyId", "This passkey request expired or was already answered: start again.", cancellationToken).ConfigureAwait(false)
                    : await FailedAsync(auth, http, user.Id, "passkey", "The passkey was refused: use one of the passkeys registered to your account.", cancellationToken, PasskeysApi.FailureReason(verified.Failure!.Value)).ConfigureAwait(false);
            }
            await auth.AuditAsync("auth.passkey_used", user.Id, user.Id, http, new { passkeyId = verified.Value!.Id, purpose = "step_up" }, cancellationToken).ConfigureAwait(false);
            method = StepUpMethods.Passkey;
        }
        else if (code is not null)
        {
            if (!user.TwoFactorEnabled)
            {
                // Not a wrong code: there is no authenticator app to take one from. Say what works instead.
                return await FailedAsync(auth, http, user.Id, "code", factors.Any
                    ? "Your account has no authenticator app: confirm with one of your passkeys or a recovery code."
                    : "Your account has no second factor: confirm with your password.", cancellationToken).ConfigureAwait(false);
            }
            if (!totp.VerifyAndConsume(user, code))
            {
                return await FailedAsync(auth, http, user.Id, "code", "The code is wrong, expired or already used.", cancellationToken).ConfigureAwait(false);
            }
            await auth.Users.UpdateAsync(user).ConfigureAwait(false); // the code's time step, so it works once
            method = StepUpMethods.Totp;
        }
        else if (recoveryCode is not null)
        {
            if (!factors.Any || !await totp.ConsumeRecoveryCodeAsync(auth.Db, user.Id, recoveryCode, cancellationToken).ConfigureAwait(false))
            {
                return await FailedAsync(auth, http, user.Id, "recoveryCode", "The recovery code is wrong or already used.", cancellationToken).ConfigureAwait(false);
            }
            await auth.AuditAsync("auth.recovery_code_used", user.Id, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
            method = StepUpMethods.RecoveryCode;
        }
        else
        {
            // With a second factor, the password alone is what a phished or shoulder-surfed session
            // already has: only the second factor proves the user.
            if (factors.Any)
            {
                return await FailedAsync(auth, http, user.Id, "password", factors.Totp
                    ? "Your account has two-factor authentication: confirm with a code from your authenticator, a passkey or a recovery code."
                    : "Your account has a passkey: confirm with it or with a recovery code.", cancellationToken).ConfigureAwait(false);
            }
            if (!await auth.Users.CheckPasswordAsync(user, password!).ConfigureAwait(false))
            {
                return await FailedAsync(auth, http, user.Id, "password", "The password is wrong.", cancellationToken).ConfigureAwait(false);
            }
            method = StepUpMethods.Password;
        }
        await auth.AuditAsync("auth.stepped_up", user.Id, user.Id, http, new { sessionId = http.User.SessionId(), method }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var freshUntil = await stepUp.RecordAsync(http.User.SessionId(), method).ConfigureAwait(false);
        return TypedResults.Ok(new StepUpResponse(method, freshUntil));
    }

    /// <summary>A failed proof stays on the record: the audit entry is committed, nothing else changed.</summary>
    private static async Task<ValidationProblem> FailedAsync(AuthService auth, HttpContext http, Guid userId, string field, string message, CancellationToken cancellationToken, string? reason = null)
    {
        await auth.AuditAsync("auth.step_up_failed", userId, userId, http, new { sessionId = http.User.SessionId(), field, reason }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await auth.Db.Database.CommitTransactionAsync(cancellationToken).ConfigureAwait(false);
        return Problems.Validation(field, message);
    }
}
