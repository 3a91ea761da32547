"""The command line's help in the reader's language.

Typer builds a command's help from English literals (docstrings, ``help=`` of options). Their
translations live in the one message catalog with the English text as the id, like every other
message; :func:`translate_command` swaps them in on the click command that typer built, before
it prints anything. The language has to be known before ``--help`` runs (click handles it first,
eagerly), so :func:`help_lang` reads ``--lang`` from the command line itself, then the
environment (``AIDC_LANG``, the locale), as :func:`aidc.cli._common.check_lang` does later.
"""

from __future__ import annotations

from typing import Any

from aidc import i18n

#: The panel titles and notes of Typer's rich help (``typer.rich_utils``), by message id.
PANEL_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "DEFAULT_STRING": "[default: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ENVVAR_STRING": "[env var: {}]",
}
#: Help of the ``--help`` option that click adds to every command, and the usage line's words.
HELP_OPTION_TEXT = "Show this message and exit."
USAGE_TEXT = "Usage: "


def help_lang(args: list[str]) -> str:
    """Return the language of help for a command line: its last ``--lang``, else the environment's.

    Examples
    --------
    >>> help_lang(["--lang", "en", "design", "--lang=ko", "--help"])
    'ko'
    """
    found = None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    try:
        return i18n.detect_lang(found) if found else i18n.detect_lang()
    except ValueError:  # a bad --lang is reported by check_lang when the command runs
        return i18n.detect_lang()


def _text(message: str | None, lang: str) -> str | None:
    return i18n.gettext(message, lang) if message else message


def translate_command(command: Any, lang: str) -> None:
    """Make a click command write its help (and its options' and subcommands') in ``lang``.

    The words are looked up when help or a usage line is first written, not here: a command
    that just runs loads no catalog for a help it never shows (10-15 ms of a trace replay).
    """
    done = False

    def translate() -> None:
        nonlocal done
        if done:
            return
        done = True
        command.help = _text(command.help, lang)
        command.short_help = _text(command.short_help, lang)
        for param in command.params:
            if getattr(param, "help", None):
                param.help = _text(param.help, lang)
        command.options_metavar = _text(command.options_metavar, lang)
        if getattr(command, "subcommand_metavar", None):
            command.subcommand_metavar = _text(command.subcommand_metavar, lang)
        for sub in getattr(command, "commands", {}).values():  # a group lists its commands' help
            getattr(sub, "aidc_translate", lambda: None)()

    command.aidc_translate = translate
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None and done:  # shown only in help, which translates first
            option.help = _text(HELP_OPTION_TEXT, lang)
        return option

    command.get_help_option = get_help_option

    def format_usage(ctx: Any, formatter: Any) -> None:
        # click's own, with the prefix in the reader's language ("사용법: aidc design [옵션] ...")
        translate()
        pieces = command.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_text(USAGE_TEXT, lang))

    command.format_usage = format_usage
    original_help = command.format_help

    def format_help(ctx: Any, formatter: Any) -> None:
        # the panel titles live in typer.rich_utils (rich, markdown): set, and so imported, only
        # when help is printed, not on every command's start-up
        translate()
        translate_panels(lang)
        original_help(ctx, formatter)

    command.format_help = format_help
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub, lang)


def translate_panels(lang: str) -> None:
    """Set the titles of Typer's help panels in ``lang`` (every help printed sets them: nothing leaks)."""
    import typer.rich_utils as rich_utils

    for name, message in PANEL_TEXTS.items():
        setattr(rich_utils, name, i18n.gettext(message, lang))
