using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.Identity;

/// <summary>Stable error codes: in the problem's <c>code</c> extension and at the end of its <c>type</c> URI.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string InvalidCredentials = "invalid_credentials";
    public const string AccountLocked = "account_locked";
    public const string TwoFactorRequired = "two_factor_required";
    public const string InvalidTwoFactorCode = "invalid_two_factor_code";
    public const string EmailNotVerified = "email_not_verified";
    public const string InvalidToken = "invalid_token";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string CsrfHeaderMissing = "csrf_header_missing";
    public const string RateLimited = "rate_limited";
    public const string CannotModifyOwnAccess = "cannot_modify_own_access";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";

    /// <summary>403: the password was set by someone else and must be replaced first (<see cref="PasswordChangeGate"/>).</summary>
    public const string PasswordChangeRequired = "password_change_required";

    /// <summary>403: a privileged role (Support, Compliance, Admin) answers only to a session signed in with a second factor.</summary>
    public const string SecondFactorRequired = "second_factor_required";

    /// <summary>403: a sensitive action needs a fresh proof of the user (<see cref="StepUp.StepUpGate"/>).</summary>
    public const string StepUpRequired = "step_up_required";
    /// <summary>401 (sign-in) or 400 (registration): the passkey's answer does not verify, is someone else's, or its sign count went back.</summary>
    public const string PasskeyRefused = "passkey_refused";

    /// <summary>403: a cookie-bearing call from another site.</summary>
    public const string OriginNotAllowed = "origin_not_allowed";

    /// <summary>In a successful sign-in's <c>code</c>: new terms or privacy policy to accept.</summary>
    public const string ConsentRequired = "consent_required";
}

internal static class Problems
{
    public const string TypeBase = "https://coinage.dev/problems/";

    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: title,
            type: TypeBase + code,
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = ErrorCodes.ValidationFailed };
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }
        return TypedResults.ValidationProblem(errors, type: TypeBase + ErrorCodes.ValidationFailed, extensions: extensions);
    }

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Collects field errors (camelCase names) for one request.</summary>
internal sealed partial class InputErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public int Count => _errors.Count;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ValidationProblem ToProblem(IDictionary<string, object?>? extra = null) => Problems.Validation(ToDictionary(), extra);

    /// <summary>Required, at most <paramref name="maxLength"/> characters, no control characters.</summary>
    public string? Text(string field, string? value, int maxLength, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "This field is required.");
            }
            return null;
        }
        if (value.Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
            return null;
        }
        if (value.Any(char.IsControl))
        {
            Add(field, "Control characters are not allowed.");
            return null;
        }
        return value;
    }

    public string? Email(string field, string? value)
    {
        var text = Text(field, value?.Trim(), 254);
        if (text is null)
        {
            return null;
        }
        if (!EmailPattern().IsMatch(text))
        {
            Add(field, "Not a valid email address.");
            return null;
        }
        return text;
    }

    /// <summary>A password as typed: required, at most 128 characters, no control characters (no trimming: spaces count).</summary>
    public string? Password(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "This field is required.");
            return null;
        }
        if (value.Length > PasswordPolicy.PasswordRules.MaximumLength || value.Any(char.IsControl))
        {
            Add(field, $"At most {PasswordPolicy.PasswordRules.MaximumLength} printable characters.");
            return null;
        }
        return value;
    }

    public Guid? Id(string field, string? value)
    {
        if (Text(field, value, 64) is { } text && Guid.TryParse(text, out var id))
        {
            return id;
        }
        if (!_errors.ContainsKey(field))
        {
            Add(field, "Not a valid id.");
        }
        return null;
    }

    public string? Code(string field, string? value)
    {
        var text = Text(field, value?.Replace(" ", "", StringComparison.Ordinal), 32);
        if (text is not null && !CodePattern().IsMatch(text))
        {
            Add(field, "Not a valid code.");
            return null;
        }
        return text;
    }

    // Deliberately simple (one @, a dot in the domain, no spaces, quotes or angle brackets): the
    // verification email is the real test of an address.
    [GeneratedRegex(@"^[^@\s""'<>;()\\,]+@[^@\s""'<>;()\\,]+\.[^@\s""'<>;()\\,]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^[A-Za-z0-9-]{6,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}
