using System.Text;
using static MlNetLlm.ChatTemplates.JinjaValues;

namespace MlNetLlm.ChatTemplates;

/// <summary>The functions, methods, filters and tests chat templates may use; anything else is <see cref="NotSupportedException"/>.</summary>
internal static class JinjaBuiltins
{
    public const string Functions = "raise_exception, namespace, range";
    public const string Methods = "strings: strip, lstrip, rstrip, startswith, endswith, upper, lower, title, capitalize, split, replace; dictionaries: get, items, keys, values";
    public const string Filters = "trim, length, count, upper, lower, title, capitalize, tojson, string, join, default, first, last, list, items, selectattr, rejectattr (with a test name and an optional argument, e.g. 'equalto')";
    public const string Tests = "defined, undefined, none, string, number, integer, float, boolean, mapping, iterable, sequence, true, false, odd, even";

    public static object? CallFunction(string name, List<object?> args, Dictionary<string, object?> kwargs) => name switch
    {
        "raise_exception" => throw new InvalidOperationException(Str(Arg(args, 0, name))),
        "namespace" => Fill(new Namespace(), kwargs),
        "range" => Range(args.Select(a => a as long? ?? throw new InvalidOperationException("range() takes integers.")).ToList()),
        _ => throw new NotSupportedException($"The chat template function '{name}' is not supported (supported: {Functions})."),
    };

    private static Namespace Fill(Namespace ns, Dictionary<string, object?> values)
    {
        foreach (var (key, value) in values) ns[key] = value;
        return ns;
    }

    private static RangeValue Range(List<long> a) => a.Count switch
    {
        1 => RangeValue.Create(0, a[0], 1),
        2 => RangeValue.Create(a[0], a[1], 1),
        3 => RangeValue.Create(a[0], a[1], a[2]),
        _ => throw new InvalidOperationException("range() takes 1 to 3 arguments."),
    };

    public static object? CallMethod(object? target, string name, List<object?> args, Dictionary<string, object?> kwargs)
    {
        if (target is string s)
            return name switch
            {
                "strip" => args.Count > 0 ? s.Trim(Chars(args[0])) : s.Trim(),
                "lstrip" => args.Count > 0 ? s.TrimStart(Chars(args[0])) : s.TrimStart(),
                "rstrip" => args.Count > 0 ? s.TrimEnd(Chars(args[0])) : s.TrimEnd(),
                "startswith" => s.StartsWith(StrArg(args, 0, name), StringComparison.Ordinal),
                "endswith" => s.EndsWith(StrArg(args, 0, name), StringComparison.Ordinal),
                "upper" => s.ToUpperInvariant(),
                "lower" => s.ToLowerInvariant(),
                "title" => Title(s),
                "capitalize" => Capitalize(s),
                "split" => (args.Count > 0 && args[0] is string sep
                    ? s.Split(sep)
                    : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Cast<object?>().ToList(),
                "replace" => s.Replace(StrArg(args, 0, name), StrArg(args, 1, name), StringComparison.Ordinal),
                _ => throw Unsupported(),
            };
        if (target is Dictionary<string, object?> d)
            return name switch
            {
                "get" => d.TryGetValue(StrArg(args, 0, name), out var v) ? v : args.Count > 1 ? args[1] : kwargs.GetValueOrDefault("default"),
                "items" => d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
                "keys" => d.Keys.Cast<object?>().ToList(),
                "values" => d.Values.ToList(),
                _ => throw Unsupported(),
            };
        throw Unsupported();

        NotSupportedException Unsupported() =>
            new($"The chat template method '{name}' on {TypeName(target)} is not supported (supported: {Methods}).");
    }

    public static object? ApplyFilter(string name, object? value, List<object?> args, Dictionary<string, object?> kwargs) => name switch
    {
        "trim" => Str(value).Trim(),
        "length" or "count" => (long)Length(value),
        "upper" => Str(value).ToUpperInvariant(),
        "lower" => Str(value).ToLowerInvariant(),
        "title" => Title(Str(value)),
        "capitalize" => Capitalize(Str(value)),
        "tojson" => ToJson(value, (args.Count > 0 ? args[0] : kwargs.GetValueOrDefault("indent")) is long indent ? (int)indent : null),
        "string" => Str(value),
        "join" => Join(Iterate(value), args.Count > 0 ? Str(args[0]) : Str(kwargs.GetValueOrDefault("d"))),
        "default" => value is Undefined || (args.Count > 1 && Truthy(args[1]) && !Truthy(value)) ? Arg(args, 0, name) : value,
        "first" => Iterate(value) is { Count: > 0 } items ? items[0] : Undefined.Value,
        "last" => Iterate(value) is { Count: > 0 } all ? all[^1] : Undefined.Value,
        "list" => value is string s ? s.Select(c => (object?)c.ToString()).ToList() : ToList(Iterate(value)),
        "items" => CallMethod(value, "items", [], []),
        "selectattr" or "rejectattr" => Iterate(value)
            .Where(item => Passes(ItemExpr.Get(item, StrArg(args, 0, name)), args, 1) == (name == "selectattr")).ToList(),
        _ => throw new NotSupportedException($"The chat template filter '{name}' is not supported (supported: {Filters})."),
    };

    private static List<object?> ToList(IReadOnlyList<object?> items)
    {
        RenderBudget.CheckCount(items.Count);
        return [.. items];
    }

    private static string Join(IReadOnlyList<object?> items, string separator)
    {
        var result = new StringBuilder();
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) result.Append(separator);
            result.Append(Str(items[i]));
            RenderBudget.CheckLength(result.Length);
        }
        return result.ToString();
    }

    // selectattr/rejectattr: args[from] names a test (default: truthiness), args[from + 1] is its argument.
    private static bool Passes(object? value, List<object?> args, int from)
    {
        if (args.Count <= from) return Truthy(value);
        var test = args[from] as string ?? throw new InvalidOperationException("A selectattr/rejectattr test name must be a string.");
        if (args.Count <= from + 1) return Test(test, value);
        var argument = args[from + 1];
        return test switch
        {
            "equalto" or "eq" or "==" => AreEqual(value, argument),
            "ne" or "!=" => !AreEqual(value, argument),
            "in" => Contains(argument, value),
            _ => throw new NotSupportedException($"The chat template test '{test}' with an argument is not supported (supported: equalto, eq, ne, in)."),
        };
    }

    public static bool IsTest(string name) => Tests.Split(", ").Contains(name);

    public static bool Test(string name, object? value) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => value is long or double,
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "mapping" => value is Dictionary<string, object?>,
        "iterable" => value is string or List<object?> or Dictionary<string, object?>,
        "sequence" => value is string or List<object?>,
        "true" => value is true,
        "false" => value is false,
        "odd" => value is long l && l % 2 != 0,
        "even" => value is long e && e % 2 == 0,
        _ => throw new NotSupportedException($"The chat template test 'is {name}' is not supported (supported: {Tests})."),
    };

    private static object? Arg(List<object?> args, int index, string function) =>
        index < args.Count ? args[index] : throw new InvalidOperationException($"'{function}' needs at least {index + 1} argument(s).");

    private static string StrArg(List<object?> args, int index, string function) =>
        Arg(args, index, function) as string ?? throw new InvalidOperationException($"Argument {index + 1} of '{function}' must be a string.");

    private static char[] Chars(object? chars) => (chars as string ?? "").ToCharArray();

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    // Python's str.title(): a letter after a non-letter is upper case, other letters lower case.
    private static string Title(string s)
    {
        var result = new StringBuilder(s.Length);
        bool previousIsLetter = false;
        foreach (char c in s)
        {
            result.Append(previousIsLetter ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousIsLetter = char.IsLetter(c);
        }
        return result.ToString();
    }
}
