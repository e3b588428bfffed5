import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.vocab.OWL2Datatype;

/** What the OWL API (the one HermiT ships) makes of an ontology file, one "key value" line each:
 *  the OWL 2 datatype map it knows, the datatypes the file uses that are outside it, the OWL 2 DL
 *  profile violations of the file read in strict mode, and the individuals it sees. */
public class OwlApiCheck {
    public static void main(String[] args) throws Exception {
        for (OWL2Datatype datatype : OWL2Datatype.values()) System.out.println("map " + datatype.getIRI());
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
            new FileDocumentSource(new File(args[0])), new OWLOntologyLoaderConfiguration().setStrict(true));
        for (OWLDatatype datatype : ontology.getDatatypesInSignature())
            if (!OWL2Datatype.isBuiltIn(datatype.getIRI())) System.out.println("outside " + datatype.getIRI());
        for (OWLProfileViolation violation : new OWL2DLProfile().checkOntology(ontology).getViolations())
            System.out.println("violation " + violation.toString().replace('\n', ' '));
        System.out.println("individuals " + ontology.getIndividualsInSignature().size());
        System.out.println("annotated " + ontology.getAxioms().stream().filter(a -> !a.getAnnotations().isEmpty()).count());
    }
}
