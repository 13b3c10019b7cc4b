/*
 * What the Verilog importer (dev.tellmej.hdl.imports) reads from a Verilog-2005 or SystemVerilog file: the
 * header of every module (name, parameters with their default expressions, ports with direction, type,
 * signedness and packed ranges) in ANSI or non-ANSI style, and from the module body only what a non-ANSI
 * header needs, its port and parameter declarations. Every other body item is consumed token by token up to
 * 'endmodule', never parsed, so constructs this grammar does not know cannot fail an import. Text outside
 * modules (packages, interfaces, classes) is skipped the same way.
 *
 * The input is already preprocessed (VerilogPreprocessor: `define, `ifdef, `include, other directives
 * blanked with their line breaks kept, so lines and columns are those of the file). Comments and attributes
 * (* ... *) may stand anywhere and are dropped by the lexer.
 */
grammar VerilogHeader;

// ---------------------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------------------

sourceText
    : description* EOF
    ;

description
    : moduleDeclaration
    | ~(MODULE | MACROMODULE)          // anything outside a module: skipped
    ;

moduleDeclaration
    : (MODULE | MACROMODULE) lifetime? name=identifier packageImport* parameterPortList? portList? ';'
      moduleItem* ENDMODULE (':' identifier)?
    ;

lifetime
    : STATIC
    | AUTOMATIC
    ;

packageImport
    : IMPORT ~';'* ';'
    ;

// #( parameter integer A = 1, B = A + 1, localparam C = 2 )
parameterPortList
    : '#' '(' (parameterPortDeclaration (',' parameterPortDeclaration)*)? ')'
    ;

parameterPortDeclaration
    : keyword=(PARAMETER | LOCALPARAM)? TYPE identifier ('=' typeTokens)?    # typeParameterPort
    | keyword=(PARAMETER | LOCALPARAM)? parameterType? parameterAssignment    # valueParameterPort
    ;

// A type parameter's default type: skipped (the importer reports type parameters as not overridable).
typeTokens
    : ~(',' | ')' | ';')+
    ;

// parameter [7:0] A = 1, B = 2;   localparam integer C = A * B;
parameterDeclaration
    : keyword=(PARAMETER | LOCALPARAM) TYPE identifier ('=' typeTokens)? (',' identifier ('=' typeTokens)?)*
                                                                              # typeParameterDeclaration
    | keyword=(PARAMETER | LOCALPARAM) parameterType? parameterAssignment (',' parameterAssignment)*
                                                                              # valueParameterDeclaration
    ;

parameterType
    : integerAtomType signing?
    | nonIntegerType
    | STRING
    | integerVectorType signing? packedDimension*
    | signing packedDimension*
    | packedDimension+
    | typeName=identifier packedDimension*
    ;

parameterAssignment
    : identifier unpackedDimension* ('=' constantExpression)?
    ;

// ( input wire [W-1:0] a, b, output reg signed [7:0] y )   or non-ANSI   ( a, b, y )
portList
    : '(' (port (',' port)*)? ')'
    ;

port
    : portDirection? portType? portName=identifier unpackedDimension* ('=' constantExpression)?   # plainPort
    | portDirection? typeName=identifier ('.' modport=identifier)? packedDimension* portName=identifier
      unpackedDimension*                                                                    # namedTypePort
    | INTERFACE ('.' modport=identifier)? portName=identifier unpackedDimension*            # interfacePort
    | '.' portName=identifier '(' ~')'* ')'                                                 # explicitPort
    | '{' ~'}'* '}'                                                                         # concatenatedPort
    ;

portDirection
    : INPUT
    | OUTPUT
    | INOUT
    | REF
    ;

// The type between a port's direction and its name: wire, reg, logic, wire logic, var, integer, signed [7:0], ...
portType
    : netType dataKeyword? signing? packedDimension*
    | VAR dataKeyword? signing? packedDimension*
    | dataKeyword signing? packedDimension*
    | signing packedDimension*
    | packedDimension+
    ;

dataKeyword
    : integerVectorType
    | integerAtomType
    | nonIntegerType
    ;

netType
    : WIRE | TRI | TRI0 | TRI1 | TRIAND | TRIOR | TRIREG | WAND | WOR | UWIRE | SUPPLY0 | SUPPLY1
    ;

integerVectorType
    : REG
    | LOGIC
    | BIT
    ;

integerAtomType
    : INTEGER
    | INT
    | SHORTINT
    | LONGINT
    | BYTE
    | TIME
    ;

nonIntegerType
    : REAL
    | REALTIME
    | SHORTREAL
    ;

signing
    : SIGNED
    | UNSIGNED
    ;

packedDimension
    : '[' msb=constantExpression ':' lsb=constantExpression ']'
    | '[' ']'
    ;

unpackedDimension
    : '[' constantExpression (':' constantExpression)? ']'
    | '[' ']'
    ;

moduleItem
    : portDeclaration ';'
    | parameterDeclaration ';'
    | skippedBlock
    | ~(ENDMODULE | INPUT | OUTPUT | INOUT | REF | PARAMETER | LOCALPARAM | FUNCTION | TASK | CLOCKING | IMPORT
        | EXPORT | PROPERTY | SEQUENCE | COVERGROUP | CHECKER | MODULE | MACROMODULE)
    ;

// Body items whose own 'input'/'output' are not the module's ports: skipped whole.
skippedBlock
    : FUNCTION ~ENDFUNCTION* ENDFUNCTION
    | TASK ~ENDTASK* ENDTASK
    | CLOCKING ~ENDCLOCKING* ENDCLOCKING
    | PROPERTY ~ENDPROPERTY* ENDPROPERTY
    | SEQUENCE ~ENDSEQUENCE* ENDSEQUENCE
    | COVERGROUP ~ENDGROUP* ENDGROUP
    | CHECKER ~ENDCHECKER* ENDCHECKER
    | (IMPORT | EXPORT) ~';'* ';'
    | (MODULE | MACROMODULE) ~ENDMODULE* ENDMODULE     // a nested module: skipped
    ;

// input [7:0] a, b;   output reg signed [3:0] y = 0;
portDeclaration
    : portDirection portType? declaredPort (',' declaredPort)*
    ;

declaredPort
    : identifier unpackedDimension* ('=' constantExpression)?
    ;

constantExpression
    : primary                                                                          # primaryExpression
    | op=('+' | '-' | '!' | '~' | '&' | '~&' | '|' | '~|' | '^' | '~^' | '^~') primary  # unaryExpression
    | <assoc = right> constantExpression op='**' constantExpression                      # binaryExpression
    | constantExpression op=('*' | '/' | '%') constantExpression                        # binaryExpression
    | constantExpression op=('+' | '-') constantExpression                              # binaryExpression
    | constantExpression op=('<<' | '>>' | '<<<' | '>>>') constantExpression            # binaryExpression
    | constantExpression op=('<' | '<=' | '>' | '>=') constantExpression                # binaryExpression
    | constantExpression op=('==' | '!=' | '===' | '!==') constantExpression            # binaryExpression
    | constantExpression op='&' constantExpression                                      # binaryExpression
    | constantExpression op=('^' | '^~' | '~^') constantExpression                      # binaryExpression
    | constantExpression op='|' constantExpression                                      # binaryExpression
    | constantExpression op='&&' constantExpression                                     # binaryExpression
    | constantExpression op='||' constantExpression                                     # binaryExpression
    | <assoc = right> constantExpression '?' constantExpression ':' constantExpression  # conditionalExpression
    ;

primary
    : number                                                                           # numberPrimary
    | STRING_LITERAL                                                                   # stringPrimary
    | identifier '::' identifier                                                       # scopedPrimary
    | identifier '(' (constantExpression (',' constantExpression)*)? ')'               # callPrimary
    | SYSTEM_IDENTIFIER ('(' (constantExpression (',' constantExpression)*)? ')')?     # systemCallPrimary
    | identifier ('[' constantExpression (':' constantExpression)? ']')?               # identifierPrimary
    | '(' constantExpression ')'                                                       # parenthesizedPrimary
    | '{' constantExpression '{' constantExpression (',' constantExpression)* '}' '}'  # replicationPrimary
    | '{' constantExpression (',' constantExpression)* '}'                             # concatenationPrimary
    ;

number
    : DECIMAL_NUMBER
    | BASED_NUMBER
    | UNBASED_UNSIZED
    | REAL_NUMBER
    ;

identifier
    : SIMPLE_IDENTIFIER
    | ESCAPED_IDENTIFIER
    ;

// ---------------------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------------------

MODULE : 'module';
MACROMODULE : 'macromodule';
ENDMODULE : 'endmodule';
STATIC : 'static';
AUTOMATIC : 'automatic';
IMPORT : 'import';
EXPORT : 'export';
PARAMETER : 'parameter';
LOCALPARAM : 'localparam';
TYPE : 'type';
INPUT : 'input';
OUTPUT : 'output';
INOUT : 'inout';
REF : 'ref';
INTERFACE : 'interface';
VAR : 'var';
WIRE : 'wire';
TRI : 'tri';
TRI0 : 'tri0';
TRI1 : 'tri1';
TRIAND : 'triand';
TRIOR : 'trior';
TRIREG : 'trireg';
WAND : 'wand';
WOR : 'wor';
UWIRE : 'uwire';
SUPPLY0 : 'supply0';
SUPPLY1 : 'supply1';
REG : 'reg';
LOGIC : 'logic';
BIT : 'bit';
INTEGER : 'integer';
INT : 'int';
SHORTINT : 'shortint';
LONGINT : 'longint';
BYTE : 'byte';
TIME : 'time';
REAL : 'real';
REALTIME : 'realtime';
SHORTREAL : 'shortreal';
STRING : 'string';
SIGNED : 'signed';
UNSIGNED : 'unsigned';
FUNCTION : 'function';
ENDFUNCTION : 'endfunction';
TASK : 'task';
ENDTASK : 'endtask';
CLOCKING : 'clocking';
ENDCLOCKING : 'endclocking';
PROPERTY : 'property';
ENDPROPERTY : 'endproperty';
SEQUENCE : 'sequence';
ENDSEQUENCE : 'endsequence';
COVERGROUP : 'covergroup';
ENDGROUP : 'endgroup';
CHECKER : 'checker';
ENDCHECKER : 'endchecker';

// '@(*)' and '@*' first, so that '(*' of an event control never opens an attribute.
STAR_EVENT : '@' [ \t\r\n]* '(' [ \t\r\n]* '*' [ \t\r\n]* ')' | '@' [ \t\r\n]* '*';
ATTRIBUTE : '(*' ~[)] .*? '*)' -> skip;
LINE_COMMENT : '//' ~[\r\n]* -> skip;
BLOCK_COMMENT : '/*' .*? '*/' -> skip;
WHITESPACE : [ \t\r\n\f]+ -> skip;

STRING_LITERAL : '"' ('\\' . | ~["\\\r\n])* '"';

// 8'hff, 'd10, 4'sb1010, 16 'h ffff; sizes and digits may hold underscores, digits x, z and ?.
BASED_NUMBER : (DIGITS [ \t]*)? '\'' [sS]? [bBoOdDhH] [ \t]* [0-9a-fA-FxXzZ?] [0-9a-fA-FxXzZ?_]*;
UNBASED_UNSIZED : '\'' [01xXzZ];
REAL_NUMBER : DIGITS '.' DIGITS ([eE] [+-]? DIGITS)? | DIGITS [eE] [+-]? DIGITS;
DECIMAL_NUMBER : DIGITS;
fragment DIGITS : [0-9] [0-9_]*;

SIMPLE_IDENTIFIER : [a-zA-Z_] [a-zA-Z0-9_$]*;
ESCAPED_IDENTIFIER : '\\' ~[ \t\r\n]+;
SYSTEM_IDENTIFIER : '$' [a-zA-Z0-9_$]+;

// Any other character (in skipped module bodies: '`', '\'', '#', '@', ...) is a token of its own.
OTHER : .;
