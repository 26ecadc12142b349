using System.Collections.Frozen;

namespace Coinage.ApiService.Identity.PasswordPolicy;

/// <summary>
/// ASVS V2.1: at least 12 characters, at most 128, every printable character allowed, not one of
/// the 10,000 most common passwords, not containing the email (or its local part), and a strength
/// score (0–4) shown back so the user sees why a password is weak.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 128;

    private static readonly Lazy<FrozenSet<string>> Common = new(LoadCommonPasswords);

    public static int CommonPasswordCount => Common.Value.Count;

    public static bool IsCommon(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var lower = password.ToLowerInvariant();
        if (Common.Value.Contains(lower))
        {
            return true;
        }
        // "password1234!" is "password" with decoration: strip trailing digits and symbols.
        var core = lower.TrimEnd("0123456789!@#$%^&*.?_-".ToCharArray());
        return core.Length >= 4 && Common.Value.Contains(core);
    }

    /// <summary>The problems with a password (empty when acceptable).</summary>
    public static List<string> Check(string password, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        var errors = new List<string>();
        if (password.Length < MinimumLength)
        {
            errors.Add($"The password must be at least {MinimumLength} characters long.");
        }
        if (password.Length > MaximumLength)
        {
            errors.Add($"The password must be at most {MaximumLength} characters long.");
        }
        if (password.Any(char.IsControl))
        {
            errors.Add("The password must not contain control characters.");
        }
        if (IsCommon(password))
        {
            errors.Add("The password is one of the most common passwords.");
        }
        if (!string.IsNullOrEmpty(email))
        {
            if (password.Contains(email, StringComparison.OrdinalIgnoreCase) || EmailParts(email).Any(p => password.Contains(p, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add("The password must not contain the email address.");
            }
        }
        if (errors.Count == 0 && Score(password, email) < 2)
        {
            errors.Add("The password is too easy to guess: use more words or more kinds of characters.");
        }
        return errors;
    }

    /// <summary>0 (very weak) to 4 (strong), from an entropy estimate that discounts repeats and common passwords.</summary>
    public static int Score(string password, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length == 0 || IsCommon(password))
        {
            return 0;
        }
        var pool = 0;
        if (password.Any(char.IsAsciiLetterLower)) pool += 26;
        if (password.Any(char.IsAsciiLetterUpper)) pool += 26;
        if (password.Any(char.IsAsciiDigit)) pool += 10;
        if (password.Any(c => !char.IsAsciiLetterOrDigit(c))) pool += 33;
        var distinct = password.Distinct().Count();
        // Repeated characters add little: count each distinct character fully, repeats at a quarter.
        var effectiveLength = distinct + ((password.Length - distinct) / 4.0);
        var bits = effectiveLength * Math.Log2(Math.Max(pool, 2));
        if (!string.IsNullOrEmpty(email) && EmailParts(email).Any(p => password.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            bits /= 2;
        }
        return bits switch
        {
            < 40 => 0,
            < 55 => 1,
            < 70 => 2,
            < 90 => 3,
            _ => 4,
        };
    }

    /// <summary>The words of the address's local part ("jane.doe+x@…" → jane, doe): four characters or more.</summary>
    private static IEnumerable<string> EmailParts(string email) =>
        email.Split('@')[0].Split(['.', '-', '_', '+'], StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length >= 4);

    private static FrozenSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordRules).Assembly.GetManifestResourceStream("Coinage.ApiService.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line.ToLowerInvariant());
            }
        }
        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}
