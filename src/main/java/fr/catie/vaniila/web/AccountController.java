package fr.catie.vaniila.web;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import fr.catie.vaniila.identity.ApiTokens;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.ssh.SshKey;
import fr.catie.vaniila.ssh.SshKeyId;
import fr.catie.vaniila.ssh.SshKeys;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The Account page: who the caller is (organisation, role, Unix uid), the language of the pages, the
 * caller's SSH public keys ({@link SshKeys}) and API tokens ({@link ApiTokens}). A new token's secret is
 * shown once, on the page that follows its creation, and never again.
 */
@Controller
@RequestMapping("/account")
public class AccountController {

    private final SshKeys keys;
    private final ApiTokens tokens;
    private final MessageSource messages;
    private final PhraseBook words;
    private final Clock clock;

    public AccountController(SshKeys keys, ApiTokens tokens, MessageSource messages, Clock clock, PhraseBook words) {
        this.keys = keys;
        this.tokens = tokens;
        this.messages = messages;
        this.words = words;
        this.clock = clock;
    }

    @GetMapping({"", "/"})
    public String account(Model model) {
        Caller caller = Pages.caller();
        model.addAttribute("caller", caller);
        model.addAttribute("keys", keys.list(caller));
        model.addAttribute("tokens", tokens.list(caller));
        model.addAttribute("now", clock.instant());
        return "account";
    }

    /** Adds a key; a malformed or weak one is refused with the module's reason, shown beside the field. */
    @PostMapping("/keys")
    public String addKey(@RequestParam(defaultValue = "") String publicKey, RedirectAttributes flash) {
        try {
            SshKey key = keys.add(Pages.caller(), publicKey);
            flash.addFlashAttribute("success", new Pages.Flash("account.keyAddedFlash", key.fingerprint()));
        } catch (Problem p) {
            flash.addFlashAttribute("keyError", words.say(p));
            flash.addFlashAttribute("keyText", publicKey);
        }
        return "redirect:/account#keys";
    }

    @PostMapping("/keys/{id}/delete")
    public String deleteKey(@PathVariable long id, RedirectAttributes flash) {
        Caller caller = Pages.caller();
        try {
            SshKey key = keys.get(caller, new SshKeyId(id));
            keys.delete(caller, key.id());
            flash.addFlashAttribute("success", new Pages.Flash("account.keyDeletedFlash", key.fingerprint()));
        } catch (Problem p) {
            flash.addFlashAttribute("error", words.say(p));
        }
        return "redirect:/account#keys";
    }

    /**
     * Creates a token; {@code expires} is a day (YYYY-MM-DD), the token working until the end of it (UTC).
     * The secret travels to the next page once, as a flash attribute.
     */
    @PostMapping("/tokens")
    public String createToken(@RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String expires, RedirectAttributes flash, Locale locale) {
        Instant expiresAt = null;
        if (!expires.isBlank()) {
            try {
                expiresAt = LocalDate.parse(expires.strip()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                flash.addFlashAttribute("tokenError",
                        messages.getMessage("account.tokenBadExpiry", new Object[] {expires}, locale));
                return "redirect:/account#tokens";
            }
        }
        try {
            ApiTokens.CreatedToken created = tokens.create(Pages.caller(), name, expiresAt);
            flash.addFlashAttribute("createdToken", created);
        } catch (Problem p) {
            flash.addFlashAttribute("tokenError", words.say(p));
        }
        return "redirect:/account#tokens";
    }

    @PostMapping("/tokens/{id}/revoke")
    public String revokeToken(@PathVariable long id, RedirectAttributes flash) {
        try {
            tokens.revoke(Pages.caller(), id);
            flash.addFlashAttribute("success", new Pages.Flash("account.tokenRevokedFlash", id));
        } catch (Problem p) {
            flash.addFlashAttribute("error", words.say(p));
        }
        return "redirect:/account#tokens";
    }
}
