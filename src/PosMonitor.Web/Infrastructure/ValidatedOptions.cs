using System.Collections;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure;

/// <summary>
/// Settings bound with validation at start-up: a wrong value stops the start with a message naming
/// its key, its value and what is allowed, instead of being clamped silently or failing later.
/// </summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> and checks its data annotations and
    /// <see cref="IValidatableObject"/> rules, and those of the settings objects and lists inside it, when the host starts.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class SectionValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = new List<string>();
            Collect(options, section, problems);
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }

        private static void Collect(object settings, string path, List<string> problems)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
            foreach (var result in results)
            {
                var member = result.MemberNames.FirstOrDefault();
                // Rules of a whole object (IValidatableObject here) name their keys themselves, a key of another section too.
                problems.Add(result.ErrorMessage?.StartsWith(path.Split(':')[0] + ":", StringComparison.Ordinal) == true ? result.ErrorMessage
                    : member is null ? $"{path}: {result.ErrorMessage}"
                    : $"{path}:{member} is {Shown(settings.GetType().GetProperty(member)?.GetValue(settings))}: {result.ErrorMessage}");
            }
            foreach (var property in settings.GetType().GetProperties())
            {
                if (property.GetIndexParameters().Length > 0) continue;
                switch (property.GetValue(settings))
                {
                    case string or null:
                        break;
                    case IEnumerable items:
                        var i = 0;
                        foreach (var item in items)
                        {
                            if (item is not null && IsSettings(item.GetType())) Collect(item, $"{path}:{property.Name}:{i}", problems);
                            i++;
                        }
                        break;
                    case var nested when IsSettings(nested.GetType()):
                        Collect(nested, $"{path}:{property.Name}", problems);
                        break;
                }
            }
        }

        private static bool IsSettings(Type type) => type.IsClass && type.Namespace?.StartsWith("PosMonitor", StringComparison.Ordinal) == true;

        private static string Shown(object? value) => value switch
        {
            null => "empty",
            string s => $"\"{s}\"",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }
}
