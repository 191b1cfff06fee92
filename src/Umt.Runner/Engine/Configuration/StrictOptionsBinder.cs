using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// Binds a configuration section to an options class and validates it, collecting every problem
/// with its configuration path instead of stopping at the first: unknown keys (with the valid
/// names and the closest one), values of the wrong type, then DataAnnotations and
/// <see cref="IValidatableObject"/> rules. ConfigurationBinder's ErrorOnUnknownConfiguration
/// stops at the first unknown key and names no path, which is why this is hand-written.
/// </summary>
public static class StrictOptionsBinder
{
    /// <summary>Binds <paramref name="section"/> (which may be missing: defaults) to a new <paramref name="type"/>.</summary>
    /// <param name="errors">Receives one message per problem, each starting with its path.</param>
    public static object Bind(IConfigurationSection section, Type type, List<string> errors)
    {
        object options = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type.Name} needs a public parameterless constructor.");
        int before = errors.Count;
        BindObject(section, options, errors);
        if (errors.Count == before)
        {
            Validate(section.Path, options, errors);
        }
        return options;
    }

    public static T Bind<T>(IConfigurationSection section, List<string> errors) where T : class, new() =>
        (T)Bind(section, typeof(T), errors);

    /// <summary>The public settable properties that configuration may set.</summary>
    public static IReadOnlyList<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).ToArray();

    private static void BindObject(IConfigurationSection section, object target, List<string> errors)
    {
        var properties = Settable(target.GetType()).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                string known = string.Join(", ", properties.Keys.Order(StringComparer.Ordinal));
                string? closest = NameSuggestions.Closest(child.Key, properties.Keys);
                errors.Add($"{child.Path} is not a known option. Valid keys here: {known}." + (closest is null ? "" : $" Did you mean '{closest}'?"));
                continue;
            }
            if (TryConvert(child, property.PropertyType, errors, out object? value))
            {
                property.SetValue(target, value);
            }
        }
    }

    private static bool TryConvert(IConfigurationSection section, Type type, List<string> errors, out object? value)
    {
        Type underlying = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        if (IsScalar(underlying))
        {
            bool hasChildren = section.GetChildren().Any();
            if (section.Value is null && hasChildren)
            {
                errors.Add($"{section.Path} must be {Describe(underlying)}, got an object or array.");
                return false;
            }
            if (string.IsNullOrEmpty(section.Value) && underlying != typeof(string))
            {
                // JSON null arrives as a null or empty value: it resets a nullable option (an overlay
                // turning Steps off in favour of Epochs) and is an error anywhere else.
                if (Nullable.GetUnderlyingType(type) is not null)
                {
                    return true;
                }
                errors.Add($"{section.Path} must be {Describe(underlying)}, got null.");
                return false;
            }
            return TryConvertScalar(section, underlying, errors, out value);
        }
        if (underlying.IsArray || (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)))
        {
            Type element = underlying.IsArray ? underlying.GetElementType()! : underlying.GetGenericArguments()[0];
            var items = new List<object?>();
            var children = section.GetChildren().ToList();
            if (section.Value is not null && section.Value.Length > 0)
            {
                errors.Add($"{section.Path} must be a list of {Describe(element)}, got '{section.Value}'.");
                return false;
            }
            bool ok = true;
            foreach (var child in children.OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue))
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{child.Path}: a list takes numbered entries (Key:0, Key:1), got '{child.Key}'.");
                    ok = false;
                    continue;
                }
                ok &= TryConvert(child, element, errors, out object? item);
                items.Add(item);
            }
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                array.SetValue(items[i], i);
            }
            value = array;
            return ok;
        }
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            Type element = underlying.GetGenericArguments()[1];
            var dictionary = (IDictionary)Activator.CreateInstance(underlying, StringComparer.OrdinalIgnoreCase)!;
            bool ok = true;
            foreach (var child in section.GetChildren())
            {
                ok &= TryConvert(child, element, errors, out object? item);
                dictionary[child.Key] = item;
            }
            value = dictionary;
            return ok;
        }
        object nested = Activator.CreateInstance(underlying)!;
        int before = errors.Count;
        BindObject(section, nested, errors);
        value = nested;
        return errors.Count == before;
    }

    private static bool TryConvertScalar(IConfigurationSection section, Type type, List<string> errors, out object? value)
    {
        string text = section.Value ?? "";
        value = null;
        if (type.IsEnum)
        {
            if (Enum.TryParse(type, text, ignoreCase: true, out object? parsed) && Enum.IsDefined(type, parsed!))
            {
                value = parsed;
                return true;
            }
            errors.Add($"{section.Path} must be one of {string.Join(", ", Enum.GetNames(type))}, got '{text}'.");
            return false;
        }
        try
        {
            value = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException
                                      || e.InnerException is FormatException or OverflowException)
        {
            errors.Add($"{section.Path} must be {Describe(type)}, got '{text}'.");
            return false;
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan);

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(float) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(string) => "a string",
        _ => $"a {type.Name}",
    };

    /// <summary>DataAnnotations on every property, then <see cref="IValidatableObject"/>, recursing into nested option objects.</summary>
    private static void Validate(string path, object options, List<string> errors)
    {
        var context = new ValidationContext(options);
        bool propertiesValid = true;
        foreach (var property in Settable(options.GetType()))
        {
            object? value = property.GetValue(options);
            context.MemberName = property.Name;
            context.DisplayName = property.Name;
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (attribute.GetValidationResult(value, context) is { } failure && failure != ValidationResult.Success)
                {
                    errors.Add(Message($"{path}:{property.Name}", attribute, value, failure));
                    propertiesValid = false;
                }
            }
            if (value is not null && !IsScalar(value.GetType()) && value is not IEnumerable)
            {
                Validate($"{path}:{property.Name}", value, errors);
            }
        }
        if (propertiesValid && options is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(options)))
            {
                string member = result.MemberNames.FirstOrDefault() is { } name ? $"{path}:{name}" : path;
                errors.Add($"{member} {result.ErrorMessage}");
            }
        }
    }

    private static string Message(string path, ValidationAttribute attribute, object? value, ValidationResult failure) => attribute switch
    {
        RangeAttribute range => $"{path} must be in {(range.MinimumIsExclusive ? "(" : "[")}{Format(range.Minimum)}, {Format(range.Maximum)}{(range.MaximumIsExclusive ? ")" : "]")}, got {Format(value)}",
        RequiredAttribute => $"{path} is required",
        AllowedValuesAttribute allowed => $"{path} must be one of {string.Join(", ", allowed.Values)}, got '{value}'",
        _ => $"{path}: {failure.ErrorMessage}",
    };

    private static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
