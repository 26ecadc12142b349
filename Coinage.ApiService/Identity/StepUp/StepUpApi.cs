using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.ApiService.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.Identity.StepUp;

/// <summary>Exactly one of: a TOTP code, a recovery code, or (for a user without a second factor) the password.</summary>
public sealed record StepUpRequest(string? Code, string? RecoveryCode, string? Password);

/// <param name="Method">How the user proved themselves (<see cref="StepUpMethods"/>).</param>
/// <param name="FreshUntil">Until when sensitive actions answer this session without asking again.</param>
public sealed record StepUpResponse(string Method, DateTimeOffset FreshUntil);

/// <summary><c>POST /api/v1/account/step-up</c>: prove it is still you before a sensitive action.</summary>
public static class StepUpApi
{
    public static IEndpointRouteBuilder MapStepUpApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/account/step-up", StepUpAsync).WithTags("Account")
            .RequireAuthorization()
            // An account whose password must be replaced and that has 2FA proves itself here for the change.
            .WithMetadata(PasswordChangeGate.Allowed)
            .WithSummary("Prove it is still you (a TOTP code, a recovery code, or the password when there is no second factor); sensitive actions then answer this session for the step-up window")
            // Guessing codes through a stolen session costs the same budget as guessing them at sign-in.
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerAccount, c => c.HttpContext.User.UserId().ToString("N"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return routes;
    }

    public static async Task<Results<Ok<StepUpResponse>, ValidationProblem, NotFound>> StepUpAsync(
        StepUpRequest request, AuthService auth, TotpService totp, StepUpService stepUp, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var given = new[] { request.Code, request.RecoveryCode, request.Password }.Count(v => v is not null);
        if (given != 1)
        {
            errors.Add(request.Code is null ? "code" : "recoveryCode", "Give exactly one of code, recoveryCode and password.");
            return errors.ToProblem();
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
        string method;
        if (code is not null)
        {
            if (!user.TwoFactorEnabled || !totp.VerifyAndConsume(user, code))
            {
                return await FailedAsync(auth, http, user.Id, "code", "The code is wrong, expired or already used.", cancellationToken).ConfigureAwait(false);
            }
            await auth.Users.UpdateAsync(user).ConfigureAwait(false); // the code's time step, so it works once
            method = StepUpMethods.Totp;
        }
        else if (recoveryCode is not null)
        {
            if (!user.TwoFactorEnabled || !await totp.ConsumeRecoveryCodeAsync(auth.Db, user.Id, recoveryCode, cancellationToken).ConfigureAwait(false))
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
            if (user.TwoFactorEnabled)
            {
                return await FailedAsync(auth, http, user.Id, "password", "Your account has two-factor authentication: confirm with a code from your authenticator or a recovery code.", cancellationToken).ConfigureAwait(false);
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
    private static async Task<ValidationProblem> FailedAsync(AuthService auth, HttpContext http, Guid userId, string field, string message, CancellationToken cancellationToken)
    {
        await auth.AuditAsync("auth.step_up_failed", userId, userId, http, new { sessionId = http.User.SessionId(), field }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await auth.Db.Database.CommitTransactionAsync(cancellationToken).ConfigureAwait(false);
        return Problems.Validation(field, message);
    }
}
