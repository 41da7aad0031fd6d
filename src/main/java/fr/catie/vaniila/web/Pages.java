package fr.catie.vaniila.web;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.security.VaniilaUser;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Helpers shared by the page controllers. */
final class Pages {

    /** A message for the next page, by bundle key and arguments, so it shows in the user's language. */
    public record Flash(String key, Object... args) {
    }

    private Pages() {
    }

    static Caller caller() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof VaniilaUser user) {
            return user.caller();
        }
        throw new Problem(Problem.Kind.UNAUTHENTICATED, "Log in first.");
    }

    /**
     * Runs a page action; its problem, if any, is shown on the next page instead of an error page, in the
     * user's language.
     */
    static String act(PhraseBook words, RedirectAttributes flash, String redirect, Flash success, Runnable action) {
        try {
            action.run();
            flash.addFlashAttribute("success", success);
        } catch (Problem p) {
            flash.addFlashAttribute("error", words.say(p));
            flash.addFlashAttribute("fieldErrors", words.fields(p));
        }
        return "redirect:" + redirect;
    }
}
