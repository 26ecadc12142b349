using System.Security.Claims;
using Coinage.ApiService.Identity.Tokens;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Coinage.ApiService.Identity;

/// <summary>
/// A password someone else chose (the generated bootstrap administrator's) is replaced at the first
/// sign-in: while the user carries <see cref="AuthService.PasswordChangeRequiredClaim"/>, their access
/// tokens say <c>pwd_change</c>, and every endpoint that needs a signed-in user answers such a token
/// with <c>403 password_change_required</c> unless it is marked <see cref="Allowed"/> (signing in and
/// out, refreshing, the profile and the password change itself). Public endpoints (markets, status)
/// answer as they would a visitor: the token adds nothing there.
/// </summary>
public static class PasswordChangeGate
{
    /// <summary>Endpoint metadata: answers while the password must still be replaced.</summary>
    public static readonly AllowedBeforePasswordChange Allowed = new();

    public sealed class AllowedBeforePasswordChange;

    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(AccessTokenIssuer.PasswordChangeRequiredClaim, "true")
            && context.GetEndpoint()?.Metadata is { } metadata
            && metadata.GetMetadata<IAuthorizeData>() is not null && metadata.GetMetadata<IAllowAnonymous>() is null
            && metadata.GetMetadata<AllowedBeforePasswordChange>() is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Password change required",
                    Detail = "This password was set for you: choose your own (POST /api/v1/account/password), then refresh the session.",
                    Type = Problems.TypeBase + ErrorCodes.PasswordChangeRequired,
                    Extensions = { ["code"] = ErrorCodes.PasswordChangeRequired },
                },
            }).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    });

    /// <summary>Flags the user (idempotent); saved by the store at once.</summary>
    public static async Task RequireAsync(UserManager<CoinageUser> users, CoinageUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (!(await users.GetClaimsAsync(user).ConfigureAwait(false)).Any(c => c.Type == AuthService.PasswordChangeRequiredClaim))
        {
            Check(await users.AddClaimAsync(user, new Claim(AuthService.PasswordChangeRequiredClaim, "true")).ConfigureAwait(false));
        }
    }

    /// <summary>The user chose a password of their own (changed or reset): the gate opens at the next token.</summary>
    public static async Task ClearAsync(UserManager<CoinageUser> users, CoinageUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        var flags = (await users.GetClaimsAsync(user).ConfigureAwait(false)).Where(c => c.Type == AuthService.PasswordChangeRequiredClaim).ToList();
        if (flags.Count > 0)
        {
            Check(await users.RemoveClaimsAsync(user, flags).ConfigureAwait(false));
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
