package fr.catie.vaniila.web;

import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.identity.Role;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Administration pages: organisations (platform admins) and accounts (platform and organisation admins). */
@Controller
@RequestMapping("/admin")
public class AdminController {

    private final Organisations organisations;
    private final Accounts accounts;
    private final PhraseBook words;

    public AdminController(Organisations organisations, Accounts accounts, PhraseBook words) {
        this.organisations = organisations;
        this.accounts = accounts;
        this.words = words;
    }

    /** The administration's landing page: organisations for platform admins, users for organisation admins. */
    @GetMapping({"", "/"})
    public String index() {
        return Pages.caller().isPlatformAdmin() ? "redirect:/admin/organisations" : "redirect:/admin/users";
    }

    @GetMapping("/organisations")
    public String organisations(Model model) {
        Caller caller = Pages.caller();
        AdminClusterController.requirePlatformAdmin(caller);
        model.addAttribute("caller", caller);
        model.addAttribute("organisations", organisations.list(caller));
        return "admin/organisations";
    }

    @PostMapping("/organisations")
    public String createOrganisation(@RequestParam String name, RedirectAttributes flash) {
        return Pages.act(words, flash, "/admin/organisations", new Pages.Flash("flash.organisation.created", name.trim()),
                () -> organisations.create(Pages.caller(), name));
    }

    @GetMapping("/users")
    public String users(@RequestParam(required = false) String organisation, Model model) {
        Caller caller = Pages.caller();
        model.addAttribute("caller", caller);
        model.addAttribute("users", accounts.list(caller, organisation));
        model.addAttribute("organisations", organisations.list(caller));
        model.addAttribute("roles", caller.isPlatformAdmin() ? Role.values() : new Role[] {Role.USER, Role.ORG_ADMIN});
        return "admin/users";
    }

    @PostMapping("/users")
    public String createUser(@RequestParam String username, @RequestParam String password,
            @RequestParam(required = false) String organisation, @RequestParam(defaultValue = "USER") String role,
            RedirectAttributes flash) {
        return Pages.act(words, flash, "/admin/users", new Pages.Flash("flash.account.created", username.trim()),
                () -> accounts.create(Pages.caller(), new Accounts.NewAccount(username, password, organisation, role)));
    }

    @PostMapping("/users/{username}/role")
    public String changeRole(@PathVariable String username, @RequestParam String role, RedirectAttributes flash) {
        return Pages.act(words, flash, "/admin/users", new Pages.Flash("flash.account.role", username, role),
                () -> accounts.changeRole(Pages.caller(), username, role));
    }

    @PostMapping("/users/{username}/enabled")
    public String setEnabled(@PathVariable String username, @RequestParam boolean enabled, RedirectAttributes flash) {
        return Pages.act(words, flash, "/admin/users", new Pages.Flash(enabled ? "flash.account.enabled" : "flash.account.disabled", username),
                () -> accounts.setEnabled(Pages.caller(), username, enabled));
    }
}
