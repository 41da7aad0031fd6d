package fr.catie.vaniila.web;

import java.util.List;
import java.util.Map;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.nodes.Nodes;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.WebAttributes;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** Login page and the dashboard. */
@Controller
public class HomeController {

    private final Nodes nodes;

    public HomeController(Nodes nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/login")
    public String login(HttpServletRequest request, Model model) {
        if (request.getParameter("error") != null) {
            HttpSession session = request.getSession(false);
            Object e = session == null ? null : session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
            if (e instanceof LockedException locked) {
                model.addAttribute("loginError", locked.getMessage());
            } else if (e instanceof DisabledException) {
                model.addAttribute("loginErrorKey", "login.disabled");
            } else if (e instanceof AuthenticationException || e == null) {
                model.addAttribute("loginErrorKey", "login.bad");
            }
        }
        return "login";
    }

    @GetMapping("/")
    public String dashboard(Model model) {
        Caller caller = Pages.caller();
        model.addAttribute("caller", caller);
        List<Nodes.Node> inventory = nodes.inventory();
        model.addAttribute("nodes", inventory);
        model.addAttribute("flavors", Nodes.flavors(inventory));
        model.addAttribute("totals", totals(inventory));
        return "dashboard";
    }

    private static Map<String, Long> totals(java.util.List<Nodes.Node> inventory) {
        long cores = 0, memory = 0, gpus = 0;
        for (Nodes.Node n : inventory) {
            cores += n.cores();
            memory += n.memoryMb();
            gpus += n.gpus().size();
        }
        return Map.of("nodes", (long) inventory.size(), "cores", cores, "memoryGb", memory / 1024, "gpus", gpus);
    }
}
