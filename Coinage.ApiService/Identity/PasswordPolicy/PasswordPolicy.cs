using Zxcvbn.Matcher;

namespace Coinage.ApiService.Identity.PasswordPolicy;

/// <summary>
/// ASVS V2.1: 12 to 128 characters, every printable character allowed, no composition rules, and
/// a realistic strength estimate (zxcvbn: common passwords, English words, names, keyboard walks,
/// sequences, repeats, dates, l33t, and the user's own email as a dictionary of its own) that must
/// reach <see cref="MinimumScore"/>. A refusal says why, in the estimator's terms, so the user can
/// do better; the web front end runs zxcvbn-ts with the same wording while the user types.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 128;

    /// <summary>zxcvbn's 3, "safely unguessable": about 10^10 guesses, beyond an offline attack on a slow hash.</summary>
    public const int MinimumScore = 3;

    /// <summary>The estimate, why it is low (empty when it is not) and what would raise it.</summary>
    public sealed record Strength(int Score, string? Warning, IReadOnlyList<string> Suggestions);

    /// <summary>The reasons the password is refused (empty when acceptable).</summary>
    public static List<string> Check(string password, string? email) => Check(password, email, out _);

    /// <summary>The reasons the password is refused (empty when acceptable), and its estimate for the answer.</summary>
    public static List<string> Check(string password, string? email, out Strength strength)
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
        // The estimator's cost grows quickly with length: past the maximum the answer is already no.
        strength = password.Length > MaximumLength ? new Strength(0, null, []) : Estimate(password, email);
        if (errors.Count == 0 && strength.Score < MinimumScore)
        {
            errors.Add(strength.Warning is null ? "The password is too easy to guess." : $"The password is too easy to guess. {strength.Warning}");
            errors.AddRange(strength.Suggestions);
        }
        return errors;
    }

    /// <summary>0 (too guessable) to 4 (very unguessable), with zxcvbn's feedback.</summary>
    public static Strength Estimate(string password, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length == 0)
        {
            return new Strength(0, null, []);
        }
        var result = Zxcvbn.Zxcvbn.MatchPassword(password, UserInputs(email));
        var (warning, suggestions) = Feedback(result, password);
        return new Strength(result.Score, result.Score >= MinimumScore ? null : warning, result.Score >= MinimumScore ? [] : suggestions);
    }

    /// <summary>The address and its local part's words ("jane.doe+x@…" → jane, doe, x …): a password built on them is guessed first.</summary>
    internal static string[] UserInputs(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return [];
        }
        var trimmed = email.Trim().ToLowerInvariant();
        var local = trimmed.Split('@')[0];
        return local.Split(['.', '-', '_', '+'], StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.Length >= 3)
            .Prepend(local)
            .Prepend(trimmed)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// zxcvbn's feedback (its <c>feedback.js</c>, in @zxcvbn-ts/language-en's words, so the browser and
    /// the API say the same): the longest recognised pattern is the one to talk about.
    /// </summary>
    private static (string? Warning, List<string> Suggestions) Feedback(Zxcvbn.Result result, string password)
    {
        var longest = result.MatchSequence
            .Where(m => m.Pattern != "bruteforce")
            .OrderByDescending(m => m.Token.Length)
            .FirstOrDefault();
        if (longest is null)
        {
            return (null, ["Use multiple words, but avoid common phrases.", "You can create strong passwords without using symbols, numbers, or uppercase letters."]);
        }
        var whole = longest.Token.Length == password.Length;
        var suggestions = new List<string> { "Add more words that are less common." };
        string? warning = null;
        switch (longest)
        {
            case SpatialMatch spatial:
                warning = spatial.Turns == 1 ? "Straight rows of keys on your keyboard are easy to guess." : "Short keyboard patterns are easy to guess.";
                suggestions.Add("Use longer keyboard patterns and change typing direction multiple times.");
                break;
            case RepeatMatch:
                warning = "Repeated characters like \"aaa\" are easy to guess.";
                suggestions.Add("Avoid repeated words and characters.");
                break;
            case SequenceMatch:
                warning = "Common character sequences like \"abc\" are easy to guess.";
                suggestions.Add("Avoid common character sequences.");
                break;
            case DateMatch:
                warning = "Dates are easy to guess.";
                suggestions.Add("Avoid dates and years that are associated with you.");
                break;
            case DictionaryMatch dictionary:
                var l33t = dictionary is L33tDictionaryMatch;
                warning = dictionary.DictionaryName switch
                {
                    "user_inputs" => "There should not be any personal or page related data.",
                    "passwords" when whole && !l33t => dictionary.Rank switch
                    {
                        <= 10 => "This is a heavily used password.",
                        <= 100 => "This is a frequently used password.",
                        _ => "This is a commonly used password.",
                    },
                    "passwords" => "This is similar to a commonly used password.",
                    "male_names" or "female_names" or "surnames" => whole ? "Single names or surnames are easy to guess." : "Common names and surnames are easy to guess.",
                    _ => whole ? "Single words are easy to guess." : null,
                };
                if (dictionary.Token.Length > 1 && char.IsUpper(dictionary.Token[0]) && !dictionary.Token.Skip(1).Any(char.IsUpper))
                {
                    suggestions.Add("Capitalize more than the first letter.");
                }
                else if (dictionary.Token.Any(char.IsLetter) && dictionary.Token.All(c => !char.IsLetter(c) || char.IsUpper(c)))
                {
                    suggestions.Add("Capitalize some, but not all letters.");
                }
                if (l33t)
                {
                    suggestions.Add("Avoid predictable letter substitutions like '@' for 'a'.");
                }
                break;
            default:
                if (longest.Pattern is "year" or "recent_year")
                {
                    warning = "Recent years are easy to guess.";
                    suggestions.Add("Avoid recent years.");
                }
                break;
        }
        return (warning, suggestions);
    }
}
